using System.Runtime.InteropServices;

namespace Bootstrapper.Engine.Os.Native;

internal static unsafe partial class LibC
{
    private const uint MfdCloexec = 1;

    [LibraryImport(Lib, EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MemfdCreateNative(string name, uint flags);

    /// <summary>An anonymous in-memory file (close-on-exec), or -1 where the kernel or a seccomp filter refuses one.</summary>
    public static int TryMemfdCreate(string name) => MemfdCreateNative(name, MfdCloexec);
}
