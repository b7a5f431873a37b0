using System.Security.Cryptography;
using System.Text;

namespace Bootstrapper.Testing;

/// <summary>
/// A small tree on the host that an attack tries to reach: its <see cref="Fingerprint"/> (every path, type, mode,
/// link target and content) must be the same after the attack as before.
/// </summary>
public sealed class HostSentinel : IDisposable
{
    public string Directory { get; }

    public HostSentinel()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("bootstrap-sentinel-").FullName;
        File.WriteAllText(Path.Combine(Directory, "precious"), "host data\n");
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "sub"));
        File.WriteAllText(Path.Combine(Directory, "sub", "file"), "more host data\n");
        File.SetUnixFileMode(Path.Combine(Directory, "precious"), (UnixFileMode)0x1A4);   // 0644
        // Other users may not write here, but the attacks run as root: only containment keeps this tree intact.
        File.SetUnixFileMode(Directory, (UnixFileMode)0x1ED);                              // 0755
    }

    /// <summary>SHA-256 over the sorted listing of the tree, with modes, link targets and file contents.</summary>
    public string Fingerprint()
    {
        var text = new StringBuilder();
        var entries = System.IO.Directory.EnumerateFileSystemEntries(Directory, "*", SearchOption.AllDirectories)
            .Append(Directory).Order(StringComparer.Ordinal);
        foreach (var path in entries)
        {
            var info = new FileInfo(path);
            text.Append(path).Append(' ').Append(info.Attributes.HasFlag(FileAttributes.Directory) ? "d" : "f")
                .Append(' ').Append((int)File.GetUnixFileMode(path)).Append(' ').Append(info.LinkTarget ?? "");
            if (info.LinkTarget is null && !info.Attributes.HasFlag(FileAttributes.Directory))
                text.Append(' ').Append(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))));
            text.Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
