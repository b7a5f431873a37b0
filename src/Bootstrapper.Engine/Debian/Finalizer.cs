using System.Text;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Engine.Debian;

/// <summary>
/// Turns a configured root into image content, following the official images (debuerreotype) where they differ
/// from a plain debootstrap: nothing of the build host (hostname, resolver, machine identity), no caches or logs
/// that change from build to build, apt sources naming the image's mirrors. Documentation and man pages stay:
/// apart from the entries removed here, the file list matches debootstrap's.
/// </summary>
public static class Finalizer
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
        if (!Path.IsPathFullyQualified(o.RootDirectory) || !Directory.Exists(Path.Combine(o.RootDirectory, "var/lib/dpkg")))
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
        if (ChrootFiles.Existing(root, Installer.DebsDirectory) is { } debs && Directory.Exists(debs) && new DirectoryInfo(debs).LinkTarget is null)
        {
            Directory.Delete(debs);
            Did("removed", Installer.DebsDirectory);
        }

        // apt's downloaded indices: megabytes that are stale the day after the build. Keep the lock file and the
        // partial directory that apt creates itself, as the official images do.
        foreach (var e in Entries(root, "var/lib/apt/lists").Where(e => Path.GetFileName(e) is not ("lock" or "partial")))
        {
            DeleteIn(root, e);
            Did("removed", e);
        }
        foreach (var e in Entries(root, "var/lib/apt/lists/partial"))
        {
            DeleteIn(root, e);
            Did("removed", e);
        }
        // apt's binary caches (pkgcache.bin, srcpkgcache.bin) and downloaded archives.
        foreach (var e in Entries(root, "var/cache/apt").Where(e => e.EndsWith(".bin", StringComparison.Ordinal)))
        {
            DeleteIn(root, e);
            Did("removed", e);
        }
        foreach (var dir in new[] { "var/cache/apt/archives", "var/cache/apt/archives/partial" })
            foreach (var e in Entries(root, dir).Where(e => e.EndsWith(".deb", StringComparison.Ordinal)))
            {
                DeleteIn(root, e);
                Did("removed", e);
            }
        // Backups dpkg and debconf write before each update of their databases: build-time state only.
        foreach (var dir in new[] { "var/lib/dpkg", "var/cache/debconf" })
            foreach (var e in Entries(root, dir).Where(e => e.EndsWith("-old", StringComparison.Ordinal)))
            {
                DeleteIn(root, e);
                Did("removed", e);
            }

        // Hostname: the runtime sets one; write a file only when the recipe asks for a fixed name.
        if (o.Hostname is { } name)
        {
            CheckHostname(name);
            WriteFile(ChrootFiles.ForWriting(root, "etc/hostname"), name + "\n", 0x1A4);
            Did("wrote", "etc/hostname");
        }
        else if (DeleteFile(root, "etc/hostname")) Did("removed", "etc/hostname");

        // An empty machine-id means "not yet initialised" to systemd; a filled one would be shared by every
        // container of the image. Absent stays absent (no package in minbase creates it).
        var machineId = ChrootFiles.Existing(root, "etc/machine-id");
        if (machineId is not null && new FileInfo(machineId) is { Exists: true, LinkTarget: null, Length: > 0 })
        {
            using (new FileStream(machineId, FileMode.Truncate, FileAccess.Write)) { }
            Did("emptied", "etc/machine-id");
        }

        WriteFile(ChrootFiles.ForWriting(root, FinalizeAptSources.RelativePath), sources, 0x1A4);
        Did("wrote", FinalizeAptSources.RelativePath);

        if (o.SourceDateEpoch is { } epoch)
        {
            foreach (var rel in new[] { "etc/shadow", "etc/shadow-" })
                if (ChrootFiles.Existing(root, rel) is { } shadow && new FileInfo(shadow).LinkTarget is null &&
                    FinalizeShadow.ClampLastChange(shadow, epoch) > 0) Did("clamped last-change days in", rel);
        }
        return changed;
    }

    /// <summary>RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, at most 253 characters.</summary>
    internal static void CheckHostname(string name)
    {
        var ok = name.Length is > 0 and <= 253 && name.Split('.').All(l =>
            l.Length is > 0 and <= 63 && l[0] != '-' && l[^1] != '-' && l.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'));
        if (!ok)
            throw new RecipeException($"'{name}' is not a valid host name (letters, digits and '-', labels of 1-63 characters separated by dots).");
    }

    /// <remarks>
    /// Every path is resolved inside the root (<see cref="ChrootFiles.Existing"/>): a package or a script may have made
    /// any directory on the way a symlink, and the host must follow it as the chroot would, never out of the root.
    /// </remarks>
    private static IEnumerable<string> Entries(string root, string rel)
    {
        var dir = ChrootFiles.Existing(root, rel);
        if (dir is null || !Directory.Exists(dir) || new DirectoryInfo(dir).LinkTarget is not null) return [];
        return Directory.EnumerateFileSystemEntries(dir).Select(e => rel + "/" + Path.GetFileName(e)).Order(StringComparer.Ordinal).ToList();
    }

    private static IEnumerable<string> EmptyDirectory(string root, string rel)
    {
        var list = Entries(root, rel).ToList();
        foreach (var e in list) DeleteIn(root, e);
        return list;
    }

    private static bool DeleteFile(string root, string rel)
    {
        if (ChrootFiles.Existing(root, rel) is not { } p) return false;
        var fi = new FileInfo(p);
        if (!fi.Exists && fi.LinkTarget is null) return false;
        File.Delete(p);
        return true;
    }

    private static void DeleteIn(string root, string rel)
    {
        if (ChrootFiles.Existing(root, rel) is { } path) Delete(path);
    }

    /// <summary>Deletes a file, link or directory tree without following links.</summary>
    private static void Delete(string path)
    {
        var di = new DirectoryInfo(path);
        if (di.Exists && di.LinkTarget is null) di.Delete(recursive: true);
        else File.Delete(path);
    }

    private static void WriteFile(string path, string content, int mode)
    {
        // Never write through a link a package left there: it could point outside the root.
        if (new FileInfo(path).LinkTarget is not null) File.Delete(path);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        ChrootFiles.SetMode(path, mode);
    }
}
