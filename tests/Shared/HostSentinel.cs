using System.Security.Cryptography;
using System.Text;

namespace Bootstrapper.Testing;

/// <summary>
/// A temporary tree that stands for the build host's own files in containment tests: hostile packages point links
/// at it, and its <see cref="Hash"/> (names, types, modes, contents) must be the same after the build as before.
/// </summary>
public sealed class HostSentinel : IDisposable
{
    public HostSentinel()
    {
        Path = Directory.CreateTempSubdirectory("bootstrap-host-sentinel-").FullName;
        Directory.CreateDirectory(System.IO.Path.Combine(Path, "dir"));
        File.WriteAllText(System.IO.Path.Combine(Path, "dir", "keep"), "host data\n");
        File.WriteAllText(System.IO.Path.Combine(Path, "file"), "host file\n");
        File.SetUnixFileMode(System.IO.Path.Combine(Path, "file"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>The tree's top: holds dir/keep and file (mode 0600).</summary>
    public string Path { get; }

    public string Hash()
    {
        var lines = Directory.EnumerateFileSystemEntries(Path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(p => $"{p} {File.GetAttributes(p)} {File.GetUnixFileMode(p)} " +
                         (File.Exists(p) ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(p))) : "-"))
            .Append($"{Path} {File.GetUnixFileMode(Path)}");
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', lines))));
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
