using System.Runtime.InteropServices;

namespace Bootstrapper.Engine.Os.Native;

/// <summary>
/// The few libc calls .NET does not expose: owners, device numbers, inode identity, hard links, xattrs and
/// timestamps that must not follow symlinks. Linux/glibc only ("libc.so.6": plain "libc" would make the loader try
/// the linker script libc.so first).
/// </summary>
internal static unsafe partial class LibC
{
    private const string Lib = "libc.so.6";

    public const int AtFdCwd = -100;
    public const int AtSymlinkNoFollow = 0x100;

    public const int ENOENT = 2;
    public const int EEXIST = 17;
    public const int ENODATA = 61;
    public const int ENOTSUP = 95;
    public const int ERANGE = 34;

    public const uint S_IFMT = 0xF000;
    public const uint S_IFSOCK = 0xC000;
    public const uint S_IFLNK = 0xA000;
    public const uint S_IFREG = 0x8000;
    public const uint S_IFBLK = 0x6000;
    public const uint S_IFDIR = 0x4000;
    public const uint S_IFCHR = 0x2000;
    public const uint S_IFIFO = 0x1000;

    [LibraryImport(Lib, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxNative(int dirfd, string path, int flags, uint mask, StatxBuffer* buf);

    [LibraryImport(Lib, EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LchownNative(string path, uint uid, uint gid);

    [LibraryImport(Lib, EntryPoint = "chmod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int ChmodNative(string path, uint mode);

    [LibraryImport(Lib, EntryPoint = "mknod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MknodNative(string path, uint mode, ulong dev);

    [LibraryImport(Lib, EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LinkNative(string oldPath, string newPath);

    [LibraryImport(Lib, EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UtimensatNative(int dirfd, string path, Timespec* times, int flags);

    [LibraryImport(Lib, EntryPoint = "llistxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint LlistxattrNative(string path, byte* list, nuint size);

    [LibraryImport(Lib, EntryPoint = "lgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint LgetxattrNative(string path, string name, byte* value, nuint size);

    [LibraryImport(Lib, EntryPoint = "mkdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MkdirNative(string path, uint mode);

    [LibraryImport(Lib, EntryPoint = "fchmodat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int FchmodatNative(int dirfd, string path, uint mode, int flags);

    [LibraryImport(Lib, EntryPoint = "geteuid")]
    public static partial uint Geteuid();

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    /// <summary>
    /// struct statx (linux/stat.h): unlike struct stat its layout is the same on every architecture, and it reports
    /// device numbers already split into major/minor.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(16)] public uint Nlink;
        [FieldOffset(20)] public uint Uid;
        [FieldOffset(24)] public uint Gid;
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(32)] public ulong Ino;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(112)] public long MtimeSeconds;
        [FieldOffset(120)] public uint MtimeNanoseconds;
        [FieldOffset(128)] public uint RdevMajor;
        [FieldOffset(132)] public uint RdevMinor;
        [FieldOffset(136)] public uint DevMajor;
        [FieldOffset(140)] public uint DevMinor;
    }

    private const uint StatxBasicStats = 0x7FF;

    /// <summary>lstat(2) semantics (the final symlink is not followed). Returns false when the path does not exist.</summary>
    public static bool TryLstat(string path, out FileStatus status)
    {
        StatxBuffer buf;
        if (StatxNative(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, &buf) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is ENOENT or 20 /* ENOTDIR */)
            {
                status = default;
                return false;
            }
            throw Error("statx", path, errno);
        }
        status = ToStatus(buf);
        return true;
    }

    private static FileStatus ToStatus(in StatxBuffer buf) =>
        new(buf.Mode, buf.Uid, buf.Gid, buf.Nlink, buf.Ino, ((ulong)buf.DevMajor << 32) | buf.DevMinor,
            (long)buf.Size, buf.MtimeSeconds, buf.MtimeNanoseconds, buf.RdevMajor, buf.RdevMinor);

    public static FileStatus Lstat(string path) =>
        TryLstat(path, out var status) ? status : throw Error("statx", path, ENOENT);

    public static void Lchown(string path, uint uid, uint gid)
    {
        if (LchownNative(path, uid, gid) != 0) throw Error("lchown", path, Marshal.GetLastPInvokeError());
    }

    public static void Chmod(string path, uint mode)
    {
        if (ChmodNative(path, mode) != 0) throw Error("chmod", path, Marshal.GetLastPInvokeError());
    }

    /// <summary>
    /// chmod that refuses to follow a symlink at the final component (fchmodat with AT_SYMLINK_NOFOLLOW): if
    /// something swapped the path for a symlink, the host file it points to is not touched.
    /// </summary>
    public static void ChmodNoFollow(string path, uint mode)
    {
        if (FchmodatNative(AtFdCwd, path, mode, AtSymlinkNoFollow) == 0) return;
        int errno = Marshal.GetLastPInvokeError();
        // Before Linux 6.6 glibc emulates the flag through /proc/self/fd; without /proc it reports ENOTSUP. Then
        // check and chmod by path, which is only exposed to a racing extraction swapping the path meanwhile.
        if (errno == ENOTSUP && TryLstat(path, out var status) && !status.IsSymlink)
        {
            Chmod(path, mode);
            return;
        }
        throw Error("fchmodat", path, errno);
    }

    /// <summary>mkdir(2); false when the path already exists (as anything: the caller must look at what it is).</summary>
    public static bool TryMkdir(string path, uint mode)
    {
        if (MkdirNative(path, mode) == 0) return true;
        int errno = Marshal.GetLastPInvokeError();
        if (errno == EEXIST) return false;
        throw Error("mkdir", path, errno);
    }

    /// <summary>glibc's makedev(): 12+20 bits of major, 8+24 bits of minor.</summary>
    public static ulong MakeDev(uint major, uint minor) =>
        ((ulong)(major & 0xFFFFF000) << 32) | ((ulong)(major & 0xFFF) << 8) |
        ((ulong)(minor & 0xFFFFFF00) << 12) | (minor & 0xFF);

    public static void Mknod(string path, uint mode, uint major, uint minor)
    {
        if (MknodNative(path, mode, MakeDev(major, minor)) != 0) throw Error("mknod", path, Marshal.GetLastPInvokeError());
    }

    /// <summary>link(2) does not follow a symlink at oldPath on Linux: the link itself gets a second name.</summary>
    public static void Link(string oldPath, string newPath)
    {
        if (LinkNative(oldPath, newPath) != 0) throw Error("link", newPath, Marshal.GetLastPInvokeError());
    }

    /// <summary>Sets atime and mtime of the path itself (a symlink is not followed).</summary>
    public static void SetTimesNoFollow(string path, long seconds, long nanoseconds = 0)
    {
        Timespec* times = stackalloc Timespec[2];
        times[0] = new Timespec { Seconds = seconds, Nanoseconds = nanoseconds };
        times[1] = times[0];
        if (UtimensatNative(AtFdCwd, path, times, AtSymlinkNoFollow) != 0)
            throw Error("utimensat", path, Marshal.GetLastPInvokeError());
    }

    /// <summary>All extended attributes of the path itself (not following a symlink), values as raw bytes.</summary>
    public static List<KeyValuePair<string, byte[]>> ListXattrs(string path)
    {
        var result = new List<KeyValuePair<string, byte[]>>();
        nint size = LlistxattrNative(path, null, 0);
        if (size < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == ENOTSUP) return result; // file system without xattrs: nothing to keep
            throw Error("llistxattr", path, errno);
        }
        if (size == 0) return result;
        var names = new byte[size];
        fixed (byte* p = names)
        {
            size = LlistxattrNative(path, p, (nuint)names.Length);
            if (size < 0) throw Error("llistxattr", path, Marshal.GetLastPInvokeError());
        }
        // The list is NUL-terminated names back to back.
        int start = 0;
        for (int i = 0; i < size; i++)
        {
            if (names[i] != 0) continue;
            if (i > start)
            {
                string name = System.Text.Encoding.UTF8.GetString(names, start, i - start);
                byte[]? value = GetXattr(path, name);
                if (value is not null) result.Add(new(name, value));
            }
            start = i + 1;
        }
        return result;
    }

    private static byte[]? GetXattr(string path, string name)
    {
        nint size = LgetxattrNative(path, name, null, 0);
        if (size < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == ENODATA) return null; // removed between list and get
            throw Error("lgetxattr", path, errno);
        }
        var value = new byte[size];
        fixed (byte* p = value)
        {
            size = LgetxattrNative(path, name, p, (nuint)value.Length);
            if (size < 0) throw Error("lgetxattr", path, Marshal.GetLastPInvokeError());
        }
        return size == value.Length ? value : value[..(int)size];
    }

    public static IOException Error(string call, string path, int errno) =>
        new($"{call}('{path}') failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})") { HResult = errno };
}

/// <summary>What lstat reports about one path; <see cref="Mode"/> includes the S_IFMT type bits.</summary>
internal readonly record struct FileStatus(uint Mode, uint Uid, uint Gid, uint Nlink, ulong Inode, ulong Device,
    long Size, long MtimeSeconds, uint MtimeNanoseconds, uint RdevMajor, uint RdevMinor)
{
    public uint Type => Mode & LibC.S_IFMT;
    public bool IsDirectory => Type == LibC.S_IFDIR;
    public bool IsSymlink => Type == LibC.S_IFLNK;
    public bool IsRegular => Type == LibC.S_IFREG;
    public uint Permissions => Mode & 0xFFF;
}
