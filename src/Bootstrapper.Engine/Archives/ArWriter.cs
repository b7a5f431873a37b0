using System.Text;

namespace Bootstrapper.Engine.Archives;

/// <summary>
/// Writes Unix ar archives in the form dpkg-deb produces (GNU short names "name/", mode in octal, even padding
/// with '\n'). Names longer than 15 bytes are not needed for .debs and are refused.
/// </summary>
internal sealed class ArWriter
{
    private readonly Stream _stream;

    public ArWriter(Stream stream)
    {
        _stream = stream;
        _stream.Write(Encoding.ASCII.GetBytes(ArReader.Magic));
    }

    public void Add(string name, ReadOnlySpan<byte> data, long mtime = 0, uint mode = 0x1A4 /* 0644 */)
    {
        _stream.Write(Header(name, data.Length, mtime, mode));
        _stream.Write(data);
        if ((data.Length & 1) == 1) _stream.WriteByte((byte)'\n');
    }

    /// <summary>
    /// Adds a member whose length is only known once <paramref name="data"/> is read to its end (a decompressing
    /// stream): the header is written with a zero size and patched afterwards, so the output must be seekable.
    /// </summary>
    public long AddFrom(string name, Stream data, long mtime = 0, uint mode = 0x1A4 /* 0644 */)
    {
        if (!_stream.CanSeek) throw new InvalidOperationException("AddFrom needs a seekable output stream");
        long headerAt = _stream.Position;
        _stream.Write(Header(name, 0, mtime, mode));
        long start = _stream.Position;
        data.CopyTo(_stream, 1 << 20);
        long length = _stream.Position - start;
        if ((length & 1) == 1) _stream.WriteByte((byte)'\n');
        long end = _stream.Position;
        _stream.Position = headerAt;
        _stream.Write(Header(name, length, mtime, mode));
        _stream.Position = end;
        return length;
    }

    private static byte[] Header(string name, long size, long mtime, uint mode)
    {
        if (Encoding.UTF8.GetByteCount(name) > 15 || name.Contains('/'))
            throw new ArgumentException($"ar member name '{name}' must be at most 15 bytes without '/'", nameof(name));
        var header = new StringBuilder(60);
        header.Append((name + "/").PadRight(16));
        header.Append(mtime.ToString().PadRight(12));
        header.Append("0".PadRight(6)).Append("0".PadRight(6));
        header.Append(Convert.ToString(mode, 8).PadRight(8));
        header.Append(size.ToString().PadRight(10));
        header.Append("`\n");
        return Encoding.ASCII.GetBytes(header.ToString());
    }
}
