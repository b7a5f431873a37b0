using Bootstrapper.Engine.Os.Native;

namespace Bootstrapper.Engine.Os.Files;

/// <summary>
/// A directory inside the staging root held open by a descriptor, whose files the host reaches through
/// /proc/self/fd/N/NAME (openat semantics with ordinary path APIs): the kernel starts from the directory the
/// descriptor holds, so a maintainer script that replaces the directory's name with a symlink while the host writes
/// there cannot send those writes anywhere else. Made by <see cref="RootFs.TryCreatePinnedDirectory"/>.
/// </summary>
internal sealed class PinnedDirectory : IDisposable
{
    private readonly int _fd;

    private PinnedDirectory(int fd, string display)
    {
        _fd = fd;
        Display = display;
    }

    /// <summary>The directory as the root sees it ("/var/cache/bootstrap-debs").</summary>
    public string Display { get; }

    /// <summary>Opens a directory without following a link at its path (O_NOFOLLOW), checking it is one.</summary>
    internal static PinnedDirectory Open(string path, string display)
    {
        int fd = LibC.OpenNoFollow(path, write: false);
        if (!LibC.Fstat(fd, path).IsDirectory)
        {
            LibC.Close(fd, path);
            throw new IOException($"'{display}' was replaced while being created");
        }
        return new PinnedDirectory(fd, display);
    }

    /// <summary>The host path of a file directly in this directory. Create files there with FileMode.CreateNew
    /// (O_EXCL), so that a link planted at the name is refused rather than followed.</summary>
    public string HostPath(string name)
    {
        if (name.Length == 0 || name.Contains('/') || name is "." or "..")
            throw new ArgumentException($"'{name}' is not a plain file name", nameof(name));
        return $"/proc/self/fd/{_fd}/{name}";
    }

    /// <summary>
    /// Opens a file directly in this directory for reading, refusing a link at the name (O_NOFOLLOW) and anything but
    /// a regular file: a script may have replaced a copy with a link to a host file.
    /// </summary>
    public FileStream OpenRead(string name) =>
        RootFs.OpenRegular(HostPath(name), write: false)
        ?? throw new IOException($"'{Display}/{name}' is no longer a regular file; a maintainer script replaced it");

    public void Dispose() => LibC.Close(_fd, Display);
}
