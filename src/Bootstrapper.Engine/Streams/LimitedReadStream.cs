using Bootstrapper.Core.Planning;

namespace Bootstrapper.Engine.Streams;

/// <summary>
/// Passes a decoded data member through and stops it past its package's <see cref="UnpackLimit"/>, before the
/// bytes past it reach whoever writes them (the .deb prepared for dpkg, which would then unpack all of it).
/// </summary>
internal sealed class LimitedReadStream(Stream inner, UnpackLimit limit, string packageLabel) : ForwardReadStream
{
    public override int Read(Span<byte> buffer)
    {
        // Whole buffers (short only at the end): the limit is then met at the same byte every time.
        int n = inner.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        BytesRead += n;
        if (BytesRead > limit.Bytes) throw limit.Exceeded(packageLabel, BytesRead, "in its data member");
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
