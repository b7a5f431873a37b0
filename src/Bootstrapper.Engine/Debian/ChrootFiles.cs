using Bootstrapper.Engine.Archives;

namespace Bootstrapper.Engine.Debian;

/// <summary>Small Unix file helpers for building a root (the whole installer only runs on Linux).</summary>
/// <remarks>
/// Every path the host uses inside a root after packages are in it goes through <see cref="Existing"/> or
/// <see cref="ForWriting"/>: a package or a maintainer script may have made any directory a symlink (an absolute
/// one means the root's own path), and the host must follow it the way the chroot would, never out of the root.
/// </remarks>
internal static class ChrootFiles
{
    /// <summary>Where a relative path is inside the root (parents followed chroot-style); null when its parent is missing.</summary>
    public static string? Existing(string root, string relative) =>
        new RootPathResolver(Path.TrimEndingDirectorySeparator(root), "the staging root").ExistingPhysicalPath(relative);

    /// <summary>Where to write a relative path inside the root: missing parents are created (0755) inside the root.</summary>
    public static string ForWriting(string root, string relative)
    {
        relative = relative.Trim('/');
        int slash = relative.LastIndexOf('/');
        var resolver = new RootPathResolver(Path.TrimEndingDirectorySeparator(root), "the staging root");
        return resolver.ResolveDirectory(slash < 0 ? "" : relative[..slash], relative) + "/" + relative[(slash + 1)..];
    }

    /// <summary>A directory inside the root, created (0755, with its parents) when missing; symlinks followed chroot-style.</summary>
    public static string DirectoryInRoot(string root, string relative) =>
        new RootPathResolver(Path.TrimEndingDirectorySeparator(root), "the staging root").ResolveDirectory(relative.Trim('/'), relative);

    /// <summary>Sets the permission bits, ignoring the umask (which applies at creation time).</summary>
    public static void SetMode(string path, int octalBits)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("Building a Linux root needs Linux.");
        File.SetUnixFileMode(path, (UnixFileMode)octalBits);
    }
}
