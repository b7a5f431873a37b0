namespace Bootstrapper.Engine.Streams;

/// <summary>
/// A stream read once, front to back: what the decoders and readers here are. Subclasses implement
/// <see cref="Read(Span{byte})"/> and add what they return to <see cref="BytesRead"/>, which Position reports (some
/// decoders above them ask for it even on streams that cannot seek).
/// </summary>
internal abstract class ForwardReadStream : Stream
{
    protected long BytesRead;

    public abstract override int Read(Span<byte> buffer);
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
