using System.Formats.Tar;
using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Archives;
using Bootstrapper.Engine.Compression;
using Bootstrapper.Engine.Streams;

namespace Bootstrapper.Engine.Families.Debian.Deb;

/// <summary>
/// A .deb being read front to back (deb(5)): `debian-binary` ("2.x\n"), `control.tar[.gz|.xz|.zst]`, then
/// `data.tar[.gz|.xz|.zst|.bz2]`, in that order; members named "_*" between them are ignored, as dpkg does.
/// <see cref="Open"/> reads the small control member into memory; the data member is then streamed once through
/// <see cref="OpenData"/> without being copied.
/// </summary>
internal sealed class DebArchive : IDisposable
{
    private const long MaxControlBytes = 64L * 1024 * 1024;
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly ArReader _ar;
    private bool _dataOpened;

    private DebArchive(Stream stream, bool leaveOpen, string label)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        PackageLabel = label;
        _ar = new ArReader(stream, label);
        FormatVersion = Guard(ReadFormatVersion);
        Control = ReadControl();
    }

    /// <summary>"2.0" for every .deb built since 1995.</summary>
    public string FormatVersion { get; }

    public ControlFiles Control { get; }

    /// <summary>Names the package in messages, e.g. "package 'bash' 5.2.15-2+b2".</summary>
    public string PackageLabel { get; }

    /// <param name="packageLabel">How messages name the package, e.g. "package 'bash' 5.2.15-2+b2" or a file name.</param>
    public static DebArchive Open(Stream stream, string packageLabel, bool leaveOpen = false)
    {
        try
        {
            return new DebArchive(stream, leaveOpen, packageLabel);
        }
        catch when (!leaveOpen)
        {
            stream.Dispose();
            throw;
        }
    }

    public static DebArchive OpenFile(string path, string? packageLabel = null) =>
        Open(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16), packageLabel ?? $"'{path}'");

    /// <summary>
    /// The data member as a tar stream, decompressed on the fly. Call once; entries' DataStreams are windows on
    /// the decompressor, valid until the next entry is read.
    /// </summary>
    /// <param name="readAhead">
    /// Decompress on a second thread so decoding overlaps with the caller's file writes (as `dpkg-deb | tar` does).
    /// Costs a little CPU (one extra copy, a thread hand-off per MiB); turn it off when several packages are already
    /// being extracted in parallel.
    /// </param>
    public TarReader OpenData(bool readAhead = true) => new(OpenDataStream(readAhead), leaveOpen: false);

    /// <summary>The data member as a decompressed tar stream (see <see cref="OpenData"/>); call once.</summary>
    public Stream OpenDataStream(bool readAhead = true)
    {
        if (_dataOpened) throw new InvalidOperationException("the data member can be read only once");
        _dataOpened = true;
        var member = Guard(() => NextRequired("data.tar"));
        var kind = CheckTarName(member.Name, "data.tar", allowBzip2: true);
        var data = Decompression.Open(member.Data, kind, leaveOpen: true);
        if (readAhead && kind != CompressionKind.None) data = new ReadAheadStream(data); // nothing to overlap when stored
        return data;
    }

    private string ReadFormatVersion()
    {
        var member = _ar.Next() ?? throw Malformed("it is empty");
        if (member.Name != "debian-binary")
            throw Malformed($"the first member is '{member.Name}', not 'debian-binary'");
        if (member.Size > 64) throw Malformed("'debian-binary' is too large");
        var bytes = new byte[member.Size];
        member.Data.ReadExactly(bytes);
        string text = System.Text.Encoding.ASCII.GetString(bytes);
        // dpkg accepts any 2.x; the version ends with a newline and nothing else follows it on the line.
        int newline = text.IndexOf('\n');
        string version = newline < 0 ? text : text[..newline];
        if (newline < 0 || !version.StartsWith("2.", StringComparison.Ordinal) || version.Length < 3 ||
            !version[2..].All(char.IsAsciiDigit))
            throw Malformed($"unsupported format version \"{text.TrimEnd()}\" in 'debian-binary' (expected \"2.0\")");
        return version;
    }

    private ControlFiles ReadControl()
    {
        var member = NextRequired("control.tar");
        var kind = CheckTarName(member.Name, "control.tar", allowBzip2: false);
        var files = new Dictionary<string, ControlFile>(StringComparer.Ordinal);
        long total = 0;
        try
        {
            using var tar = new TarReader(Decompression.Open(member.Data, kind, leaveOpen: true));
            while (tar.GetNextEntry() is { } entry)
            {
                string name = entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name;
                if (entry.EntryType is TarEntryType.Directory || name.Length == 0) continue;
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                    throw Malformed($"control.tar member '{entry.Name}' is a {entry.EntryType}, not a regular file");
                if (name.Contains('/')) throw Malformed($"control.tar member '{entry.Name}' is in a subdirectory");
                total += entry.Length;
                if (total > MaxControlBytes) throw Malformed("control.tar is larger than 64 MiB");
                var data = new byte[entry.Length];
                entry.DataStream?.ReadExactly(data);
                files[name] = new ControlFile(name, (uint)entry.Mode, data, entry.ModificationTime.ToUnixTimeSeconds());
            }
        }
        catch (Exception e) when (e is (InvalidDataException or EndOfStreamException or FormatException or IOException)
                                      and not InstallException)
        {
            throw Malformed($"cannot read {member.Name}: {e.Message}", e);
        }
        return new ControlFiles(files, PackageLabel);
    }

    private ArMember NextRequired(string what)
    {
        while (true)
        {
            var member = _ar.Next() ?? throw Malformed($"it has no {what} member");
            if (member.Name.StartsWith('_')) continue; // reserved for future optional members (deb(5))
            if (!member.Name.StartsWith(what, StringComparison.Ordinal))
                throw Malformed($"expected a {what} member, found '{member.Name}'");
            return member;
        }
    }

    private CompressionKind CheckTarName(string name, string stem, bool allowBzip2)
    {
        var kind = Decompression.KindFromName(name);
        string expected = kind switch
        {
            CompressionKind.None => stem,
            CompressionKind.Gzip => stem + ".gz",
            CompressionKind.Xz => stem + ".xz",
            CompressionKind.Zstd => stem + ".zst",
            CompressionKind.Bzip2 when allowBzip2 => stem + ".bz2",
            _ => "",
        };
        if (name != expected) throw Malformed($"member '{name}' has an unsupported compression");
        return kind;
    }

    /// <summary>A .deb cut short (an interrupted download that escaped the hash check) is malformed, not a crash.</summary>
    private T Guard<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (EndOfStreamException e)
        {
            throw Malformed(e.Message, e);
        }
    }

    private InstallException Malformed(string what, Exception? inner = null) =>
        new($"{PackageLabel}: malformed .deb: {what}. Delete it from the cache and download it again.", inner);

    public void Dispose()
    {
        if (!_leaveOpen) _stream.Dispose();
    }
}
