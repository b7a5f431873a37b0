using System.Text;
using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Streams;

namespace Bootstrapper.Engine.Archives;

/// <summary>
/// Streaming reader of Unix ar archives (the container of .deb files, deb(5)): "!&lt;arch&gt;\n", then per member a
/// 60-byte text header (name 16, mtime 12, uid 6, gid 6, octal mode 8, size 10, "`\n") and the data padded to an
/// even offset. GNU names ("name/", "//" long-name table, "/123" references) and BSD names ("#1/len", name stored
/// at the start of the data) are understood; the GNU symbol table ("/") is skipped. Works on non-seekable streams.
/// </summary>
internal sealed class ArReader
{
    public const string Magic = "!<arch>\n";
    private const int HeaderSize = 60;

    private readonly Stream _stream;
    private readonly string _sourceName;
    private readonly byte[] _header = new byte[HeaderSize];
    private BoundedReadStream? _current;
    private bool _padPending;
    private byte[]? _longNames;

    /// <param name="sourceName">Names the archive in error messages (a package or file name).</param>
    public ArReader(Stream stream, string sourceName)
    {
        _stream = stream;
        _sourceName = sourceName;
        Span<byte> magic = stackalloc byte[8];
        if (ReadFully(magic) != 8 || !magic.SequenceEqual("!<arch>\n"u8))
            throw Malformed("it does not start with the ar magic \"!<arch>\\n\" (not a .deb or ar archive)");
    }

    /// <summary>The next member, or null at the end. Any unread data of the previous member is skipped.</summary>
    public ArMember? Next()
    {
        while (true)
        {
            FinishCurrent();
            int got = ReadFully(_header);
            if (got == 0) return null;
            // Some writers pad the archive with a trailing newline; anything else short is a truncation.
            if (got == 1 && _header[0] == (byte)'\n') return null;
            if (got < HeaderSize) throw Malformed($"truncated member header ({got} of 60 bytes)");
            if (_header[58] != (byte)'`' || _header[59] != (byte)'\n')
                throw Malformed($"bad member header terminator at member {Describe(_header.AsSpan(0, 16))}");

            string rawName = Encoding.ASCII.GetString(_header, 0, 16).TrimEnd(' ');
            long mtime = ParseNumber(16, 12, 10, "mtime");
            int uid = (int)ParseNumber(28, 6, 10, "uid");
            int gid = (int)ParseNumber(34, 6, 10, "gid");
            uint mode = (uint)ParseNumber(40, 8, 8, "mode");
            long size = ParseNumber(48, 10, 10, "size");
            if (size < 0) throw Malformed($"negative size for member '{rawName}'");

            var data = new BoundedReadStream(_stream, size, $"{_sourceName}: member '{rawName}'");
            _current = data;
            _padPending = (size & 1) == 1;

            string name;
            if (rawName is "/" or "/SYM64/")
            {
                continue; // GNU symbol table: not a member anyone asked for
            }
            else if (rawName == "//")
            {
                _longNames = ReadAll(data, "long-name table");
                continue;
            }
            else if (rawName.StartsWith("#1/", StringComparison.Ordinal))
            {
                // BSD: the name occupies the first len bytes of the data, which then belong to the name, not the file.
                if (!int.TryParse(rawName.AsSpan(3), out int nameLength) || nameLength < 0 || nameLength > size)
                    throw Malformed($"bad BSD long name '{rawName}'");
                var nameBytes = new byte[nameLength];
                data.ReadExactly(nameBytes);
                name = Encoding.UTF8.GetString(nameBytes).TrimEnd('\0');
                data = new BoundedReadStream(_stream, size - nameLength, $"{_sourceName}: member '{name}'");
                _current = data;
                size -= nameLength;
            }
            else if (rawName.Length > 1 && rawName[0] == '/' && char.IsAsciiDigit(rawName[1]))
            {
                name = LookUpLongName(rawName);
            }
            else
            {
                // GNU ends short names with '/', so names may contain spaces; dpkg accepts both forms.
                name = rawName.EndsWith('/') ? rawName[..^1] : rawName;
            }
            return new ArMember(name, size, mtime, uid, gid, mode, data);
        }
    }

    private void FinishCurrent()
    {
        if (_current is null) return;
        _current.Skip();
        _current = null;
        if (_padPending)
        {
            // The pad byte is '\n' by convention; a missing pad byte at the very end is tolerated.
            Span<byte> pad = stackalloc byte[1];
            ReadFully(pad);
            _padPending = false;
        }
    }

    private string LookUpLongName(string rawName)
    {
        if (_longNames is null) throw Malformed($"member '{rawName}' refers to a long-name table that is missing");
        if (!int.TryParse(rawName.AsSpan(1), out int offset) || offset < 0 || offset >= _longNames.Length)
            throw Malformed($"member '{rawName}' has a long-name offset outside the table");
        int end = Array.IndexOf(_longNames, (byte)'\n', offset);
        if (end < 0) end = _longNames.Length;
        string name = Encoding.UTF8.GetString(_longNames, offset, end - offset);
        return name.EndsWith('/') ? name[..^1] : name;
    }

    // Header numbers are ASCII, left-aligned and space-padded; an all-space field means 0.
    private long ParseNumber(int offset, int length, int radix, string field)
    {
        var span = _header.AsSpan(offset, length);
        long value = 0;
        int i = 0;
        while (i < span.Length && span[i] == ' ') i++;
        for (; i < span.Length && span[i] != ' '; i++)
        {
            int digit = span[i] - '0';
            if (digit < 0 || digit >= radix)
                throw Malformed($"bad {field} field \"{Encoding.ASCII.GetString(span).TrimEnd()}\" in the header of member " +
                    Describe(_header.AsSpan(0, 16)));
            value = checked(value * radix + digit);
        }
        for (; i < span.Length; i++)
            if (span[i] != ' ')
                throw Malformed($"bad {field} field in the header of member {Describe(_header.AsSpan(0, 16))}");
        return value;
    }

    private static byte[] ReadAll(BoundedReadStream data, string what)
    {
        if (data.Length > 16 * 1024 * 1024) throw new InvalidDataException($"ar {what} is implausibly large");
        var bytes = new byte[data.Length];
        data.ReadExactly(bytes);
        return bytes;
    }

    private int ReadFully(Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = _stream.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    private static string Describe(ReadOnlySpan<byte> name) => "'" + Encoding.ASCII.GetString(name).TrimEnd() + "'";

    private InstallException Malformed(string what) =>
        new($"{_sourceName}: malformed ar archive: {what}. The file is corrupt or not a .deb; delete it from the cache and download it again.");
}
