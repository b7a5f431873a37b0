using Bootstrapper.Engine.Os.Files;

namespace Bootstrapper.Engine.Families.Debian.Install;

/// <summary>
/// The empty dpkg database a freshly extracted root needs before dpkg can run inside it (debootstrap's
/// first_stage_install, mmdebstrap's run_setup): nothing is recorded as installed yet, because stage 2
/// installs every package properly, over the extracted files.
/// </summary>
internal static class InstallDpkgDatabase
{
    /// <summary>Directories dpkg expects to exist (it does not create all of them itself).</summary>
    public static readonly IReadOnlyList<string> Directories =
    [
        "var/lib/dpkg", "var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers",
        "var/lib/dpkg/alternatives",
    ];

    public static void Write(string root)
    {
        // Through RootFs: the extracted packages may have made any of these directories a symlink.
        foreach (var d in Directories)
            RootFs.DirectoryInRoot(root, d);
        RootFs.WriteTextIfMissing(root, "var/lib/dpkg/status", "");
        RootFs.WriteTextIfMissing(root, "var/lib/dpkg/available", "");
        // No var/lib/dpkg/arch: dpkg knows its native architecture from its build and writes the file itself once
        // a foreign architecture is added; debootstrap (and so the official images) has none.
        // dselect's access method, as debootstrap's setup_dselect_method leaves it (present in the official images).
        RootFs.WriteTextIfMissing(root, "var/lib/dpkg/cmethopt", "apt apt\n");
        // debootstrap writes this placeholder and the official images carry it.
        RootFs.WriteTextIfMissing(root, "etc/fstab", "# UNCONFIGURED FSTAB FOR BASE SYSTEM\n");
    }
}
