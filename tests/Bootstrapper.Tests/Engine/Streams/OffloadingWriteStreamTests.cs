using Bootstrapper.Engine.Streams;

namespace Bootstrapper.Tests.Engine.Streams;

public sealed class OffloadingWriteStreamTests
{
    [Fact]
    public void Every_byte_arrives_in_order_before_flush_returns()
    {
        var inner = new MemoryStream();
        var expected = new MemoryStream();
        var random = new Random(7);
        using var stream = new OffloadingWriteStream(inner, capacity: 2);
        for (int i = 0; i < 500; i++)
        {
            var chunk = new byte[random.Next(1, 70_000)];
            random.NextBytes(chunk);
            stream.Write(chunk);
            expected.Write(chunk);
        }
        stream.Flush();
        Assert.Equal(expected.ToArray(), inner.ToArray());
    }

    private sealed class FailingStream : MemoryStream
    {
        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("No space left on device");
    }

    [Fact]
    public void A_failing_inner_stream_fails_the_writer_not_silently()
    {
        var stream = new OffloadingWriteStream(new FailingStream(), capacity: 1);
        var e = Assert.Throws<IOException>(() =>
        {
            for (int i = 0; i < 100; i++) stream.Write(new byte[1000]);
            stream.Flush();
        });
        Assert.Contains("No space left", e.Message);
    }
}
