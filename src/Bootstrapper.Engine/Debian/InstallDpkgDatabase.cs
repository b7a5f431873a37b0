using System.Text;

namespace Bootstrapper.Engine.Debian;

/// <summary>
/// The empty dpkg database a freshly extracted root needs before dpkg can run inside it (debootstrap's
/// first_stage_install, mmdebstrap's run_setup): nothing is recorded as installed yet, because stage 2
/// installs every package properly, over the extracted files.
/// </summary>
public static class InstallDpkgDatabase
{
    /// <summary>Directories dpkg expects to exist (it does not create all of them itself).</summary>
    public static readonly IReadOnlyList<string> Directories =
    [
        "var/lib/dpkg", "var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers",
        "var/lib/dpkg/alternatives",
    ];

    public static void Write(string root)
    {
        // Resolved inside the root: the extracted packages may have made any of these directories a symlink.
        foreach (var d in Directories)
            ChrootFiles.DirectoryInRoot(root, d);
        CreateIfMissing(ChrootFiles.ForWriting(root, "var/lib/dpkg/status"), "");
        CreateIfMissing(ChrootFiles.ForWriting(root, "var/lib/dpkg/available"), "");
        // No var/lib/dpkg/arch: dpkg knows its native architecture from its build and writes the file itself once
        // a foreign architecture is added; debootstrap (and so the official images) has none.
        // dselect's access method, as debootstrap's setup_dselect_method leaves it (present in the official images).
        CreateIfMissing(ChrootFiles.ForWriting(root, "var/lib/dpkg/cmethopt"), "apt apt\n");
        // debootstrap writes this placeholder and the official images carry it.
        CreateIfMissing(ChrootFiles.ForWriting(root, "etc/fstab"), "# UNCONFIGURED FSTAB FOR BASE SYSTEM\n");
    }

    private static void CreateIfMissing(string path, string content)
    {
        if (File.Exists(path)) return;
        if (new FileInfo(path).LinkTarget is not null) File.Delete(path); // a dangling link: never write through it
        File.WriteAllText(path, content, new UTF8Encoding(false));
        ChrootFiles.SetMode(path, 0x1A4);   // 0644
    }
}
