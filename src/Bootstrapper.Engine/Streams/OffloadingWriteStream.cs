using System.Buffers;
using System.Threading.Channels;

namespace Bootstrapper.Engine.Streams;

/// <summary>
/// A write-only stream that hands each write to a second thread, which writes it to the inner stream in order.
/// </summary>
/// <remarks>
/// Why: packing an image walks the tree and reads files on one thread while hashing (SHA-256 of the image) and
/// writing the output take as long again; with the inner stream on another core the two overlap. At most
/// <c>capacity</c> writes wait in between, so memory stays bounded. A failure on the second thread (a full disk)
/// comes back from the next Write, Flush or Dispose.
/// </remarks>
internal sealed class OffloadingWriteStream : Stream
{
    private readonly Stream _inner;
    private readonly Channel<(byte[] Buffer, int Length)> _queue;
    private readonly Task _writer;
    private bool _closed;

    public OffloadingWriteStream(Stream inner, int capacity = 8)
    {
        _inner = inner;
        _queue = Channel.CreateBounded<(byte[], int)>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
        _writer = Task.Run(WriteAllAsync);
    }

    private async Task WriteAllAsync()
    {
        await foreach (var (buffer, length) in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                _inner.Write(buffer, 0, length);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return;
        ThrowIfWriterFailed();
        var copy = ArrayPool<byte>.Shared.Rent(data.Length);
        data.CopyTo(copy);
        // The bounded queue blocks the producer when the writer falls behind; a failed writer ends the wait.
        var pending = _queue.Writer.WriteAsync((copy, data.Length)).AsTask();
        Task.WaitAny(pending, _writer);
        if (!pending.IsCompleted)
        {
            ArrayPool<byte>.Shared.Return(copy);
            ThrowIfWriterFailed();
        }
        pending.GetAwaiter().GetResult();
    }

    /// <summary>Waits until everything written so far is in the inner stream, then flushes it.</summary>
    public override void Flush()
    {
        Drain();
        _inner.Flush();
    }

    private void Drain()
    {
        if (_closed) { _writer.GetAwaiter().GetResult(); return; }
        _closed = true;
        _queue.Writer.TryComplete();
        _writer.GetAwaiter().GetResult();
    }

    private void ThrowIfWriterFailed()
    {
        if (_writer.IsFaulted) _writer.GetAwaiter().GetResult();
        if (_closed) throw new ObjectDisposedException(nameof(OffloadingWriteStream), "written to after Flush");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try { Drain(); }
            finally { _inner.Dispose(); }
        }
        base.Dispose(disposing);
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => !_closed;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
