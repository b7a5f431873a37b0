using System.Diagnostics;
using System.Formats.Tar;
using System.Security.Cryptography;
using Bootstrapper.Engine.Os.Native;

namespace Bootstrapper.Tests.Engine.Archives;

/// <summary>A temporary directory removed after the test.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = Directory.CreateTempSubdirectory("bootstrap-archives-").FullName;
    }

    public string Path { get; }

    public string Sub(string relative)
    {
        string full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(full);
        return full;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // .NET cannot name files whose names are not UTF-8 (a packer test makes one); rm can.
            Process.Start("rm", ["-rf", "--", Path])?.WaitForExit();
        }
    }
}

internal static class Sh
{
    /// <summary>Runs a program (no shell), returns stdout; a non-zero exit fails the test with stderr.</summary>
    public static string Run(string file, params string[] args) => Run(file, args, null);

    public static string Run(string file, string[] args, string? stdinFile)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdinFile is not null,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        if (stdinFile is not null)
        {
            using (var input = File.OpenRead(stdinFile)) input.CopyTo(p.StandardInput.BaseStream);
            p.StandardInput.Close();
        }
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new Xunit.Sdk.XunitException($"{file} {string.Join(' ', args)} exited {p.ExitCode}: {stderr}");
        return stdout.Result;
    }

    /// <summary>Runs a program and returns its stdout as bytes (for decompressors).</summary>
    public static byte[] RunBytes(string file, string[] args, byte[] stdin)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var writer = Task.Run(() =>
        {
            p.StandardInput.BaseStream.Write(stdin);
            p.StandardInput.Close();
        });
        var output = new MemoryStream();
        p.StandardOutput.BaseStream.CopyTo(output);
        writer.Wait();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new Xunit.Sdk.XunitException($"{file} exited {p.ExitCode}: {p.StandardError.ReadToEnd()}");
        return output.ToArray();
    }
}

/// <summary>Builds tar archives in memory, including ones no honest tool would write.</summary>
internal sealed class TarBuilder : IDisposable
{
    private readonly MemoryStream _stream = new();
    private readonly TarWriter _writer;
    private static readonly DateTimeOffset Mtime = DateTimeOffset.FromUnixTimeSeconds(1_600_000_000);

    public TarBuilder() => _writer = new TarWriter(_stream, TarEntryFormat.Gnu, leaveOpen: true);

    public void Dispose()
    {
        _writer.Dispose();
        _stream.Dispose();
    }

    public TarBuilder Dir(string name, UnixFileMode mode = (UnixFileMode)0x1ED, long? mtime = null, int uid = 0, int gid = 0)
    {
        _writer.WriteEntry(new GnuTarEntry(TarEntryType.Directory, name)
        {
            Mode = mode,
            Uid = uid,
            Gid = gid,
            ModificationTime = mtime is { } t ? DateTimeOffset.FromUnixTimeSeconds(t) : Mtime,
        });
        return this;
    }

    public TarBuilder File(string name, string content, UnixFileMode mode = (UnixFileMode)0x1A4, int uid = 0, int gid = 0)
    {
        var entry = new GnuTarEntry(TarEntryType.RegularFile, name)
        {
            Mode = mode,
            Uid = uid,
            Gid = gid,
            ModificationTime = Mtime,
            DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)),
        };
        _writer.WriteEntry(entry);
        return this;
    }

    public TarBuilder Symlink(string name, string target)
    {
        _writer.WriteEntry(new GnuTarEntry(TarEntryType.SymbolicLink, name)
        { LinkName = target, Mode = (UnixFileMode)0x1FF, ModificationTime = Mtime });
        return this;
    }

    public TarBuilder HardLink(string name, string target)
    {
        _writer.WriteEntry(new GnuTarEntry(TarEntryType.HardLink, name) { LinkName = target, ModificationTime = Mtime });
        return this;
    }

    public TarBuilder Device(string name, TarEntryType type, int major, int minor, UnixFileMode mode = (UnixFileMode)0x1B6)
    {
        var entry = new GnuTarEntry(type, name) { Mode = mode, ModificationTime = Mtime };
        if (type != TarEntryType.Fifo)
        {
            entry.DeviceMajor = major;
            entry.DeviceMinor = minor;
        }
        _writer.WriteEntry(entry);
        return this;
    }

    public byte[] Build()
    {
        _writer.Dispose();
        return _stream.ToArray();
    }

    public TarReader Reader() => new(new MemoryStream(Build()));
}

/// <summary>A comparable description of a tree: one line per path with type, mode, owner, size, mtime, target, hash.</summary>
internal static class TreeListing
{
    public static List<string> Describe(string root, bool withDirectoryMtimes = true)
    {
        var lines = new List<string>();
        var inodes = new Dictionary<ulong, string>();
        foreach (var path in Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions
        { RecurseSubdirectories = true, AttributesToSkip = 0 }).Order(StringComparer.Ordinal))
        {
            var st = LibC.Lstat(path);
            string rel = path[(root.Length + 1)..];
            string detail = st.Type switch
            {
                LibC.S_IFREG => "file " + Convert.ToHexStringLower(SHA256.HashData(System.IO.File.ReadAllBytes(path))),
                LibC.S_IFLNK => "link -> " + new FileInfo(path).LinkTarget,
                LibC.S_IFDIR => "dir",
                LibC.S_IFCHR => $"chr {st.RdevMajor},{st.RdevMinor}",
                LibC.S_IFBLK => $"blk {st.RdevMajor},{st.RdevMinor}",
                LibC.S_IFIFO => "fifo",
                _ => "other",
            };
            if (st.Type == LibC.S_IFREG && st.Nlink > 1)
            {
                if (inodes.TryGetValue(st.Inode, out var first)) detail += " hardlink-of " + first;
                else inodes[st.Inode] = rel;
            }
            string mtime = st.IsDirectory && !withDirectoryMtimes ? "-" : st.MtimeSeconds.ToString();
            string mode = st.IsSymlink ? "-" : Convert.ToString(st.Permissions, 8);
            lines.Add($"{rel} {mode} {st.Uid}:{st.Gid} {mtime} {detail}");
        }
        return lines;
    }
}
