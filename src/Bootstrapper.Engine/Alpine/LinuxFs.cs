using System.Runtime.InteropServices;

namespace Bootstrapper.Engine.Alpine;

/// <summary>The few libc calls .NET does not expose: owner changes without following links, hard links, nodes.</summary>
internal static partial class LinuxFs
{
    [LibraryImport("libc", EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LChownNative(string path, int uid, int gid);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LinkNative(string oldPath, string newPath);

    [LibraryImport("libc", EntryPoint = "mknod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MknodNative(string path, uint mode, ulong dev);

    public static void LChown(string path, int uid, int gid)
    {
        if (LChownNative(path, uid, gid) != 0) throw Error("lchown", path);
    }

    public static void Link(string existing, string newPath)
    {
        if (LinkNative(existing, newPath) != 0) throw Error("link", newPath);
    }

    /// <summary>Creates a character/block device or FIFO. <paramref name="typeBits"/>: S_IFCHR, S_IFBLK or S_IFIFO.</summary>
    public static void Mknod(string path, uint typeBits, int mode, int major, int minor)
    {
        // glibc's makedev encoding.
        ulong ma = (uint)major, mi = (uint)minor;
        ulong dev = ((ma & 0xfff) << 8) | ((ma & 0xfffff000UL) << 32) | (mi & 0xff) | ((mi & 0xffffff00UL) << 12);
        if (MknodNative(path, typeBits | (uint)(mode & 0xfff), dev) != 0) throw Error("mknod", path);
    }

    public const uint SIfChr = 0x2000, SIfBlk = 0x6000, SIfIfo = 0x1000;

    private static IOException Error(string call, string path) =>
        new($"{call}({path}) failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
}
