namespace Bootstrapper.Engine.Debian;

/// <summary>Small Unix file helpers for building a root (the whole installer only runs on Linux).</summary>
internal static class ChrootFiles
{
    /// <summary>Sets the permission bits, ignoring the umask (which applies at creation time).</summary>
    public static void SetMode(string path, int octalBits)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("Building a Linux root needs Linux.");
        File.SetUnixFileMode(path, (UnixFileMode)octalBits);
    }
}
