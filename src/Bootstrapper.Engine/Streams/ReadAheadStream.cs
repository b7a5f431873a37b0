using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace Bootstrapper.Engine.Streams;

/// <summary>
/// Reads an inner stream on its own thread, a few chunks ahead of the consumer. Wrapped around a decompressor, it
/// lets xz decoding (CPU) overlap with creating files (system calls), as dpkg-deb does by piping into tar.
/// Errors of the inner stream surface, with their original type, on the consumer's next Read.
/// </summary>
internal sealed class ReadAheadStream : ForwardReadStream
{
    private const int ChunkSize = 1024 * 1024; // few hand-offs: each may cost a thread wake-up
    private readonly record struct Chunk(byte[] Buffer, int Count);

    private readonly Stream _inner;
    private readonly bool _leaveOpen;
    private readonly BlockingCollection<Chunk> _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _producer;
    private Exception? _error;
    private Chunk? _current;
    private int _offset;
    private bool _disposed;

    public ReadAheadStream(Stream inner, bool leaveOpen = false, int chunksAhead = 4)
    {
        _inner = inner;
        _leaveOpen = leaveOpen;
        _queue = new BlockingCollection<Chunk>(chunksAhead);
        _producer = new Thread(Produce) { IsBackground = true, Name = "read-ahead" };
        _producer.Start();
    }

    private void Produce()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
                int filled = 0;
                int n;
                while (filled < ChunkSize && (n = _inner.Read(buffer, filled, ChunkSize - filled)) > 0) filled += n;
                if (filled == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return;
                }
                _queue.Add(new Chunk(buffer, filled), _stop.Token);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _error = e;
        }
        finally
        {
            _queue.CompleteAdding();
        }
    }

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty) return 0;
        while (_current is not { } chunk || _offset == chunk.Count)
        {
            if (_current is { } done) ArrayPool<byte>.Shared.Return(done.Buffer);
            _current = null;
            if (!_queue.TryTake(out var next, Timeout.Infinite))
            {
                if (_error is not null) ExceptionDispatchInfo.Capture(_error).Throw();
                return 0;
            }
            _current = next;
            _offset = 0;
        }
        var current = _current.Value;
        int n = Math.Min(buffer.Length, current.Count - _offset);
        current.Buffer.AsSpan(_offset, n).CopyTo(buffer);
        _offset += n;
        BytesRead += n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (!_disposed && disposing)
        {
            _disposed = true;
            // The producer may be inside the inner stream (native decoder state): stop it before disposing that.
            _stop.Cancel();
            _producer.Join();
            if (_current is { } chunk) ArrayPool<byte>.Shared.Return(chunk.Buffer);
            while (_queue.TryTake(out var queued)) ArrayPool<byte>.Shared.Return(queued.Buffer);
            _queue.Dispose();
            _stop.Dispose();
            if (!_leaveOpen) _inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
