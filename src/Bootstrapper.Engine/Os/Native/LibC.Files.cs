using System.Runtime.InteropServices;

namespace Bootstrapper.Engine.Os.Native;

/// <summary>
/// Creating and finishing a regular file through its descriptor only: after the exclusive open nothing goes by
/// path again, so nothing that later appears at the path (a symlink) can redirect an owner, mode or time change.
/// </summary>
internal static unsafe partial class LibC
{
    [LibraryImport(Lib, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenNative(string path, int flags, uint mode);

    [LibraryImport(Lib, EntryPoint = "write", SetLastError = true)]
    private static partial nint WriteNative(int fd, byte* buffer, nuint count);

    [LibraryImport(Lib, EntryPoint = "fchown", SetLastError = true)]
    private static partial int FchownNative(int fd, uint uid, uint gid);

    [LibraryImport(Lib, EntryPoint = "fchmod", SetLastError = true)]
    private static partial int FchmodNative(int fd, uint mode);

    [LibraryImport(Lib, EntryPoint = "futimens", SetLastError = true)]
    private static partial int FutimensNative(int fd, Timespec* times);

    [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
    private static partial int CloseNative(int fd);

    [LibraryImport(Lib, EntryPoint = "unlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UnlinkNative(string path);

    [LibraryImport(Lib, EntryPoint = "symlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SymlinkNative(string target, string path);

    private const int OWronly = 0x1, OCreat = 0x40, OExcl = 0x80, ONonblock = 0x800, OCloexec = 0x80000; // same on x86-64 and arm64
    private const int AtEmptyPath = 0x1000;

    /// <summary>O_NOFOLLOW: arm, arm64 and powerpc define their own value; the others use asm-generic's.</summary>
    private static readonly int ONofollow = RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64
        or Architecture.Ppc64le ? 0x8000 : 0x20000;

    /// <summary>
    /// Opens a path for reading (<paramref name="write"/> false) or writing in place, refusing a symlink at the last
    /// component (O_NOFOLLOW) and never blocking on a FIFO (O_NONBLOCK); the caller checks what it opened with
    /// <see cref="Fstat"/> before reading or writing a byte.
    /// </summary>
    public static int OpenNoFollow(string path, bool write)
    {
        int fd = OpenNative(path, (write ? OWronly : 0) | ONofollow | ONonblock | OCloexec, 0);
        if (fd < 0) throw Error("open", path, Marshal.GetLastPInvokeError());
        return fd;
    }

    /// <summary>What an open descriptor refers to (statx with AT_EMPTY_PATH).</summary>
    public static FileStatus Fstat(int fd, string path)
    {
        StatxBuffer buf;
        if (StatxNative(fd, "", AtEmptyPath, StatxBasicStats, &buf) != 0) throw Error("statx", path, Marshal.GetLastPInvokeError());
        return ToStatus(buf);
    }

    /// <summary>unlink(2): removes the name itself, a symlink included (never what it points to).</summary>
    public static void Unlink(string path)
    {
        if (UnlinkNative(path) != 0) throw Error("unlink", path, Marshal.GetLastPInvokeError());
    }

    /// <summary>symlink(2): fails rather than follow anything already at <paramref name="path"/>.</summary>
    public static void Symlink(string target, string path)
    {
        if (SymlinkNative(target, path) != 0) throw Error("symlink", path, Marshal.GetLastPInvokeError());
    }

    /// <summary>
    /// Creates a new regular file with O_CREAT|O_EXCL, which fails rather than follow anything already at the path
    /// (a symlink included). Returns the file descriptor; the caller closes it with <see cref="Close"/>.
    /// </summary>
    public static int CreateExclusive(string path, uint mode)
    {
        int fd = OpenNative(path, OWronly | OCreat | OExcl | OCloexec, mode);
        if (fd < 0) throw Error("open", path, Marshal.GetLastPInvokeError());
        return fd;
    }

    public static void WriteAll(int fd, ReadOnlySpan<byte> data, string path)
    {
        fixed (byte* p = data)
        {
            int done = 0;
            while (done < data.Length)
            {
                nint n = WriteNative(fd, p + done, (nuint)(data.Length - done));
                if (n < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == 4 /* EINTR */) continue;
                    throw Error("write", path, errno);
                }
                done += (int)n;
            }
        }
    }

    /// <summary>Owner, then mode (chown clears setuid/setgid, so the mode must come after), then times, by descriptor.</summary>
    /// <param name="mtimeSeconds">Null leaves the times the creation gave.</param>
    public static void SetMetadata(int fd, string path, uint? uid, uint? gid, uint mode, long? mtimeSeconds)
    {
        if (uid is { } u && gid is { } g && FchownNative(fd, u, g) != 0) throw Error("fchown", path, Marshal.GetLastPInvokeError());
        if (FchmodNative(fd, mode) != 0) throw Error("fchmod", path, Marshal.GetLastPInvokeError());
        if (mtimeSeconds is null) return;
        Timespec* times = stackalloc Timespec[2];
        times[0] = new Timespec { Seconds = mtimeSeconds.Value };
        times[1] = times[0];
        if (FutimensNative(fd, times) != 0) throw Error("futimens", path, Marshal.GetLastPInvokeError());
    }

    public static void Close(int fd, string path)
    {
        // Close errors matter on network file systems (delayed write errors); on EINTR the fd is gone anyway.
        if (CloseNative(fd) != 0 && Marshal.GetLastPInvokeError() is var errno and not 4)
            throw Error("close", path, errno);
    }
}
