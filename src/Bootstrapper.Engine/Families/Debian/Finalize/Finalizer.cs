using Bootstrapper.Core.Debian.Control;
using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Families.Debian.Install;
using Bootstrapper.Engine.Os.Files;

namespace Bootstrapper.Engine.Families.Debian.Finalize;

/// <summary>
/// Turns a configured root into image content, following the official images (debuerreotype) where they differ
/// from a plain debootstrap: nothing of the build host (hostname, resolver, machine identity), no caches or logs
/// that change from build to build, apt sources naming the image's mirrors. Documentation and man pages stay:
/// apart from the entries removed here, the file list matches debootstrap's.
/// </summary>
internal static class Finalizer
{
    /// <summary>Files removed when present: logs and caches that record the build, not the system.</summary>
    public static readonly IReadOnlyList<string> VolatileFiles =
    [
        "var/log/dpkg.log", "var/log/alternatives.log", "var/log/bootstrap.log",
        // ldconfig's cache of file stats; ld.so never reads it and it records build-time inode data.
        "var/cache/ldconfig/aux-cache",
        // Copied from the build host by debootstrap; a container runtime provides its own.
        "etc/resolv.conf",
    ];

    /// <summary>Directories whose contents are removed (the directory itself stays).</summary>
    public static readonly IReadOnlyList<string> EmptiedDirectories = ["var/log/apt", Installer.DebsDirectory];

    /// <summary>Runs every step; returns the paths (relative to the root) it removed or rewrote.</summary>
    public static IReadOnlyList<string> Finalize(FinalizeOptions o)
    {
        if (!Path.IsPathFullyQualified(o.RootDirectory) || !RootFs.TryLstat(o.RootDirectory, "var/lib/dpkg", out var dpkg) || !dpkg.IsDirectory)
            throw new InstallException($"{o.RootDirectory} is not a configured root (no var/lib/dpkg); install packages before finalizing.");
        var root = o.RootDirectory;
        var changed = new List<string>();
        void Did(string what, string rel) { changed.Add(rel); o.Log?.Invoke($"finalize: {what} {rel}"); }

        // Render first: a bad source must fail before the root is modified.
        var sources = FinalizeAptSources.Render(o.Sources);

        foreach (var rel in VolatileFiles)
            if (DeleteFile(root, rel)) Did("removed", rel);
        foreach (var rel in EmptiedDirectories)
            foreach (var e in EmptyDirectory(root, rel)) Did("removed", e);
        if (RootFs.TryLstat(root, Installer.DebsDirectory, out var debs) && debs.IsDirectory && RootFs.Delete(root, Installer.DebsDirectory))
            Did("removed", Installer.DebsDirectory);

        // apt's downloaded indices: megabytes that are stale the day after the build. Keep the lock file and the
        // partial directory, as debootstrap does: apt's package ships them, and without them `dpkg --verify` reports
        // them missing (the official images, whose tar leaves them out, do).
        foreach (var e in Entries(root, "var/lib/apt/lists").Where(e => Path.GetFileName(e) is not ("lock" or "partial")))
        {
            RootFs.Delete(root, e);
            Did("removed", e);
        }
        foreach (var e in Entries(root, "var/lib/apt/lists/partial"))
        {
            RootFs.Delete(root, e);
            Did("removed", e);
        }
        // apt's binary caches (pkgcache.bin, srcpkgcache.bin) and downloaded archives.
        foreach (var e in Entries(root, "var/cache/apt").Where(e => e.EndsWith(".bin", StringComparison.Ordinal)))
        {
            RootFs.Delete(root, e);
            Did("removed", e);
        }
        foreach (var dir in new[] { "var/cache/apt/archives", "var/cache/apt/archives/partial" })
            foreach (var e in Entries(root, dir).Where(e => e.EndsWith(".deb", StringComparison.Ordinal)))
            {
                RootFs.Delete(root, e);
                Did("removed", e);
            }
        // Backups dpkg and debconf write before each update of their databases: build-time state only.
        foreach (var dir in new[] { "var/lib/dpkg", "var/cache/debconf" })
            foreach (var e in Entries(root, dir).Where(e => e.EndsWith("-old", StringComparison.Ordinal)))
            {
                RootFs.Delete(root, e);
                Did("removed", e);
            }

        // Hostname: the runtime sets one; write a file only when the recipe asks for a fixed name.
        if (o.Hostname is { } name)
        {
            CheckHostname(name);
            RootFs.WriteText(root, "etc/hostname", name + "\n");
            Did("wrote", "etc/hostname");
        }
        else if (DeleteFile(root, "etc/hostname")) Did("removed", "etc/hostname");

        // An empty machine-id means "not yet initialised" to systemd; a filled one would be shared by every
        // container of the image. Absent stays absent (no package in minbase creates it).
        if (RootFs.TryLstat(root, "etc/machine-id", out var machineId) && machineId.IsRegular && machineId.Size > 0)
        {
            RootFs.Rewrite(root, "etc/machine-id", "");
            Did("emptied", "etc/machine-id");
        }

        var sourcesPath = FinalizeAptSources.RelativePathFor(o.Vendor);
        RootFs.WriteText(root, sourcesPath, sources);
        Did("wrote", sourcesPath);
        WritePackageState(o, Did);

        if (o.SourceDateEpoch is { } epoch)
        {
            foreach (var rel in new[] { "etc/shadow", "etc/shadow-" })
                if (RootFs.TryLstat(root, rel, out var shadow) && shadow.IsRegular &&
                    FinalizeShadow.ClampLastChange(root, rel, epoch) > 0) Did("clamped last-change days in", rel);
        }
        return changed;
    }

    /// <summary>
    /// dpkg's architecture list and apt's automatic marks, which debootstrap leaves out: without the marks every
    /// package counts as manually installed and `apt-get autoremove` never cleans up after a removal.
    /// </summary>
    private static void WritePackageState(FinalizeOptions o, Action<string, string> did)
    {
        if (o.Architecture is not { } architecture) return;
        RootFs.WriteText(o.RootDirectory, "var/lib/dpkg/arch", AptExtendedStates.DpkgArch(architecture));
        did("wrote", "var/lib/dpkg/arch");
        // Only where apt is installed (not in the essential variant).
        if (!RootFs.TryLstat(o.RootDirectory, "var/lib/apt", out var apt) || !apt.IsDirectory) return;
        RootFs.WriteText(o.RootDirectory, AptExtendedStates.RelativePath,
            AptExtendedStates.Render(o.Installed, o.Manual, architecture));
        did("wrote", AptExtendedStates.RelativePath);
    }

    /// <summary>RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, at most 253 characters.</summary>
    internal static void CheckHostname(string name)
    {
        var ok = name.Length is > 0 and <= 253 && name.Split('.').All(l =>
            l.Length is > 0 and <= 63 && l[0] != '-' && l[^1] != '-' && l.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'));
        if (!ok)
            throw new RecipeException($"'{name}' is not a valid host name (letters, digits and '-', labels of 1-63 characters separated by dots).");
    }

    /// <summary>The entries of a directory in the root, as relative paths, sorted (through <see cref="RootFs"/>).</summary>
    private static IEnumerable<string> Entries(string root, string rel) => RootFs.List(root, rel).Select(name => rel + "/" + name);

    private static IEnumerable<string> EmptyDirectory(string root, string rel)
    {
        var list = Entries(root, rel).ToList();
        foreach (var e in list) RootFs.Delete(root, e);
        return list;
    }

    private static bool DeleteFile(string root, string rel) =>
        RootFs.TryLstat(root, rel, out var s) && !s.IsDirectory && RootFs.Delete(root, rel);
}
