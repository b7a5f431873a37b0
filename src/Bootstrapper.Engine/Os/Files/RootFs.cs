using System.Text;
using Bootstrapper.Engine.Archives;
using Bootstrapper.Engine.Os.Native;
using Microsoft.Win32.SafeHandles;

namespace Bootstrapper.Engine.Os.Files;

/// <summary>
/// The one door for host-side operations on paths inside a staging root: every create, chmod, write, read, delete
/// and listing the host does there, with paths relative to the root ("etc/passwd").
/// </summary>
/// <remarks>
/// Once packages are in the root, a package or a maintainer script may have made any directory or file a symlink,
/// an absolute one too (<c>etc -&gt; /etc</c>, <c>dev/null -&gt; /host/file</c>). For the chroot an absolute target
/// names the root's own path; for the host it names the host's files. So:
/// <list type="bullet">
/// <item>parent directories are followed the way the chroot would (<see cref="RootPathResolver"/>: an absolute
/// target starts again at the root, ".." stops at it), always landing on real directories inside the root;</item>
/// <item>the last component is never followed when changing it: writes unlink what is there and create afresh with
/// O_CREAT|O_EXCL, chmod uses AT_SYMLINK_NOFOLLOW, deletes remove the name itself, device nodes and links are made
/// with mknod/symlink, which fail rather than follow;</item>
/// <item>reads follow every link chroot-style to a regular file, then open it with O_NOFOLLOW and check the
/// descriptor is still a regular file, so a swap in between cannot make the host read a device, a FIFO or a host
/// file.</item>
/// </list>
/// Code under src/ must not join a root path by hand (OneDoorForRootPathsTests scans for it).
/// </remarks>
internal static class RootFs
{
    /// <summary>Above this, a file we read for our own decisions is not what we look for (etc/passwd is kilobytes).</summary>
    public const long DefaultMaxRead = 64 << 20;

    private static RootPathResolver Resolver(string root) => new(Path.TrimEndingDirectorySeparator(root), "the staging root");

    private static string Clean(string relative) => relative.Trim('/');

    // ---- Where a path is -------------------------------------------------------------------------------------

    /// <summary>The host path of a relative path (parents followed chroot-style, the last component not); null when a parent is missing.</summary>
    public static string? Existing(string root, string relative) => Resolver(root).ExistingPhysicalPath(Clean(relative));

    /// <summary>Like <see cref="Existing"/>, but missing parents are created (0755) inside the root.</summary>
    public static string ForWriting(string root, string relative)
    {
        relative = Clean(relative);
        int slash = relative.LastIndexOf('/');
        return Resolver(root).ResolveDirectory(slash < 0 ? "" : relative[..slash], relative) + "/" + relative[(slash + 1)..];
    }

    /// <summary>A directory inside the root, created (0755, with its parents) when missing; symlinks followed chroot-style.</summary>
    public static string DirectoryInRoot(string root, string relative) => Resolver(root).ResolveDirectory(Clean(relative), relative);

    // ---- Looking -----------------------------------------------------------------------------------------------

    /// <summary>lstat of the path's last component (parents followed chroot-style).</summary>
    public static bool TryLstat(string root, string relative, out FileStatus status)
    {
        status = default;
        return Existing(root, relative) is { } path && LibC.TryLstat(path, out status);
    }

    public static bool Exists(string root, string relative) => TryLstat(root, relative, out _);

    /// <summary>Whether the path names a regular file, every link followed chroot-style (what open() in the chroot would reach).</summary>
    public static bool IsFile(string root, string relative) =>
        Resolver(root).FollowAll(Clean(relative)) is { } path && LibC.TryLstat(path, out var s) && s.IsRegular;

    /// <summary>The target of the symlink at the path, or null when something else (or nothing) is there.</summary>
    public static string? LinkTarget(string root, string relative) =>
        Existing(root, relative) is { } path && LibC.TryLstat(path, out var s) && s.IsSymlink ? new FileInfo(path).LinkTarget : null;

    /// <summary>The names in the directory the path names (links followed chroot-style), sorted; empty when it is none.</summary>
    public static IReadOnlyList<string> List(string root, string relative)
    {
        var dir = Clean(relative).Length == 0 ? Path.TrimEndingDirectorySeparator(root) : Resolver(root).FollowAll(Clean(relative));
        if (dir is null || !LibC.TryLstat(dir, out var s) || !s.IsDirectory) return [];
        return Directory.EnumerateFileSystemEntries(dir).Select(e => Path.GetFileName(e)).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The bytes of the regular file the path names, every link followed chroot-style; null when there is none or it
    /// is larger than <paramref name="maxBytes"/>.
    /// </summary>
    public static byte[]? ReadBytes(string root, string relative, long maxBytes = DefaultMaxRead)
    {
        if (Resolver(root).FollowAll(Clean(relative)) is not { } path || !LibC.TryLstat(path, out var s) || !s.IsRegular) return null;
        using var file = OpenRegular(path, write: false);
        if (file is null || file.Length > maxBytes) return null;
        var data = new byte[file.Length];
        file.ReadExactly(data);
        return data;
    }

    /// <summary>The file's text as File.ReadAllText reads it (UTF-8, a byte order mark honoured); null as for <see cref="ReadBytes"/>.</summary>
    public static string? ReadText(string root, string relative, long maxBytes = DefaultMaxRead)
    {
        if (ReadBytes(root, relative, maxBytes) is not { } data) return null;
        using var reader = new StreamReader(new MemoryStream(data), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    /// <summary>The file's lines (as File.ReadAllLines splits them); empty when there is no such file.</summary>
    public static IReadOnlyList<string> ReadLines(string root, string relative)
    {
        if (ReadText(root, relative) is not { } text) return [];
        var lines = new List<string>();
        using var reader = new StringReader(text);
        while (reader.ReadLine() is { } line) lines.Add(line);
        return lines;
    }

    // ---- Changing ----------------------------------------------------------------------------------------------

    /// <summary>
    /// Creates or replaces a regular file: whatever non-directory is at the name is unlinked (never followed), the new
    /// file is created with O_CREAT|O_EXCL, and owner, mode and (optionally) time are set through its descriptor.
    /// </summary>
    public static void WriteFile(string root, string relative, ReadOnlySpan<byte> data, uint mode, long? mtime = null,
        uint uid = 0, uint gid = 0)
    {
        var path = ForWriting(root, relative);
        RemoveNonDirectory(path);
        int fd = LibC.CreateExclusive(path, mode & 0xFFF);
        try
        {
            LibC.WriteAll(fd, data, path);
            LibC.SetMetadata(fd, path, uid, gid, mode, mtime);
        }
        finally
        {
            LibC.Close(fd, path);
        }
    }

    public static void WriteText(string root, string relative, string text, uint mode = 0x1A4) =>
        WriteFile(root, relative, new UTF8Encoding(false).GetBytes(text), mode);

    /// <summary>Writes the file unless the path already names a regular file (links followed chroot-style).</summary>
    public static void WriteTextIfMissing(string root, string relative, string text, uint mode = 0x1A4)
    {
        if (!IsFile(root, relative)) WriteText(root, relative, text, mode);
    }

    /// <summary>
    /// Rewrites a regular file in place, keeping its owner and mode (etc/shadow's root:shadow 0640). The last
    /// component must be the file itself: a link there is refused by O_NOFOLLOW, anything but a regular file by fstat.
    /// </summary>
    public static void Rewrite(string root, string relative, string text)
    {
        var path = Existing(root, relative) ?? throw new FileNotFoundException($"'/{Clean(relative)}' is not in the root");
        using var file = OpenRegular(path, write: true) ?? throw new IOException($"'/{Clean(relative)}' is not a regular file");
        file.SetLength(0);
        file.Write(new UTF8Encoding(false).GetBytes(text));
    }

    /// <summary>chmod of the path itself (AT_SYMLINK_NOFOLLOW): a symlink there is refused, its target never changed.</summary>
    public static void SetMode(string root, string relative, uint mode)
    {
        var path = Existing(root, relative) ?? throw new FileNotFoundException($"'/{Clean(relative)}' is not in the root");
        if (LibC.TryLstat(path, out var s) && s.IsSymlink)
            throw new IOException($"'/{Clean(relative)}' is a symbolic link; refusing to change the mode of what it points to");
        LibC.ChmodNoFollow(path, mode);
    }

    /// <summary>Removes the file, link, node or directory tree at the path, never following a link; false when nothing was there.</summary>
    public static bool Delete(string root, string relative)
    {
        if (Existing(root, relative) is not { } path || !LibC.TryLstat(path, out var s)) return false;
        // .NET's recursive delete removes links inside the tree, never what they point to.
        if (s.IsDirectory) Directory.Delete(path, recursive: true);
        else LibC.Unlink(path);
        return true;
    }

    /// <summary>Creates (or replaces a non-directory with) a symlink, with the given owner and, optionally, time.</summary>
    public static void CreateSymlink(string root, string relative, string target, uint uid = 0, uint gid = 0, long? mtime = null)
    {
        var path = ForWriting(root, relative);
        RemoveNonDirectory(path);
        LibC.Symlink(target, path);
        LibC.Lchown(path, uid, gid);
        if (mtime is { } t) LibC.SetTimesNoFollow(path, t);
    }

    /// <summary>
    /// A directory with the given mode and owner when it is new (parents as in <see cref="DirectoryInRoot"/>); an
    /// existing directory keeps its own. A link at the name is followed chroot-style, as for a parent. True when made.
    /// </summary>
    public static bool MakeDirectory(string root, string relative, uint mode, uint uid, uint gid)
    {
        if (Resolver(root).FollowAll(Clean(relative)) is { } existing && LibC.TryLstat(existing, out var s) && s.IsDirectory)
            return false;
        var path = DirectoryInRoot(root, relative);
        LibC.Lchown(path, uid, gid);
        LibC.ChmodNoFollow(path, mode);
        return true;
    }

    /// <summary>mknod of a character device (fails when anything is at the name), then its mode whatever the umask.</summary>
    public static void MakeCharDevice(string root, string relative, uint major, uint minor, uint mode)
    {
        var path = ForWriting(root, relative);
        LibC.Mknod(path, LibC.S_IFCHR | (mode & 0xFFF), major, minor);
        LibC.ChmodNoFollow(path, mode);
    }

    /// <summary>
    /// Makes a new directory that the host then writes into while maintainer scripts run, pinned by a descriptor: a
    /// script that swaps the name for a symlink meanwhile cannot redirect the writes. Null when the name exists.
    /// </summary>
    public static PinnedDirectory? TryCreatePinnedDirectory(string root, string relative)
    {
        var path = ForWriting(root, relative);
        if (!LibC.TryMkdir(path, 0x1ED)) return null;
        LibC.ChmodNoFollow(path, 0x1ED); // whatever the umask
        return PinnedDirectory.Open(path, "/" + Clean(relative));
    }

    private static void RemoveNonDirectory(string path)
    {
        if (!LibC.TryLstat(path, out var s)) return;
        if (s.IsDirectory) throw new IOException($"'{path}' is a directory; cannot put a file there");
        LibC.Unlink(path);
    }

    /// <summary>Opens a regular file without following a link at the path; null when it turns out not to be one.</summary>
    internal static FileStream? OpenRegular(string path, bool write)
    {
        var handle = new SafeFileHandle(LibC.OpenNoFollow(path, write), ownsHandle: true);
        if (!LibC.Fstat((int)handle.DangerousGetHandle(), path).IsRegular)
        {
            handle.Dispose();
            return null;
        }
        return new FileStream(handle, write ? FileAccess.Write : FileAccess.Read);
    }
}
