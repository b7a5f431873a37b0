namespace Bootstrapper.Engine.Streams;

/// <summary>
/// A read-only window of <see cref="Length"/> bytes starting at the inner stream's current position. Nothing is
/// copied: reads go straight to the inner stream, so the caller must consume (or <see cref="Skip"/>) one window
/// before asking the container for the next member.
/// </summary>
internal sealed class BoundedReadStream : Stream
{
    private readonly Stream _inner;
    private readonly string _sourceName;

    internal BoundedReadStream(Stream inner, long length, string sourceName)
    {
        _inner = inner;
        _sourceName = sourceName;
        Length = length;
        Remaining = length;
    }

    public override long Length { get; }
    public override long Position { get => Length - Remaining; set => throw new NotSupportedException(); }
    public long Remaining { get; private set; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (Remaining == 0 || buffer.IsEmpty) return 0;
        if (buffer.Length > Remaining) buffer = buffer[..(int)Remaining];
        int n = _inner.Read(buffer);
        if (n == 0) throw new EndOfStreamException($"{_sourceName}: truncated ({Remaining} more bytes expected)");
        Remaining -= n;
        return n;
    }

    public override int ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        return Read(one) == 1 ? one[0] : -1;
    }

    /// <summary>Moves the inner stream to the end of this window (seeking when possible, reading otherwise).</summary>
    public void Skip()
    {
        if (Remaining == 0) return;
        if (_inner.CanSeek)
        {
            if (_inner.Position + Remaining > _inner.Length)
                throw new EndOfStreamException($"{_sourceName}: truncated ({Remaining} more bytes expected)");
            _inner.Seek(Remaining, SeekOrigin.Current);
            Remaining = 0;
            return;
        }
        Span<byte> scratch = stackalloc byte[8192];
        while (Remaining > 0) _ = Read(scratch); // Read throws on a premature end, so this terminates
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
