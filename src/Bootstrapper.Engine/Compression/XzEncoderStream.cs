using Bootstrapper.Engine.Os.Native;

namespace Bootstrapper.Engine.Compression;

/// <summary>
/// Write-only stream that encodes .xz with liblzma (preset 6, CRC64; multi-threaded when asked). Chosen over running
/// `xz`: no process to supervise or kill on cancellation, and the same library the decoder already loads.
/// </summary>
internal sealed unsafe class XzEncoderStream : Stream
{
    private const int OutputSize = 256 * 1024;
    private readonly Stream _inner;
    private readonly bool _leaveOpen;
    private LibLzma.LzmaStream* _lzma;
    private readonly byte[] _output = GC.AllocateUninitializedArray<byte>(OutputSize, pinned: true);
    private bool _finished;

    public XzEncoderStream(Stream inner, int threads, bool leaveOpen = false, uint preset = 6)
    {
        if (!LibLzma.IsAvailable)
            throw new PlatformNotSupportedException("writing .xz needs the system liblzma.so.5 (Debian package liblzma5)");
        _inner = inner;
        _leaveOpen = leaveOpen;
        _lzma = LibLzma.Allocate();
        int rc = LibLzma.InitEncoder(_lzma, preset, threads);
        if (rc != LibLzma.Ok)
        {
            LibLzma.Free(_lzma);
            _lzma = null;
            throw new InvalidOperationException($"cannot start the xz encoder: {LibLzma.Describe(rc)}");
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_lzma == null, this);
        if (_finished) throw new InvalidOperationException("the xz stream is already finished");
        fixed (byte* input = buffer)
        {
            _lzma->NextIn = input;
            _lzma->AvailIn = (nuint)buffer.Length;
            while (_lzma->AvailIn > 0) Pump(LibLzma.ActionRun);
            _lzma->NextIn = null;
        }
    }

    /// <summary>Writes the end of the .xz stream. Called by Dispose; call it explicitly to see errors.</summary>
    public void Finish()
    {
        ObjectDisposedException.ThrowIf(_lzma == null, this);
        if (_finished) return;
        while (!Pump(LibLzma.ActionFinish)) { }
        _finished = true;
        _inner.Flush();
    }

    private bool Pump(int action)
    {
        fixed (byte* output = _output)
        {
            _lzma->NextOut = output;
            _lzma->AvailOut = OutputSize;
            int rc = LibLzma.Run(_lzma, action);
            int produced = OutputSize - (int)_lzma->AvailOut;
            if (produced > 0) _inner.Write(_output, 0, produced);
            if (rc == LibLzma.StreamEnd) return true;
            if (rc != LibLzma.Ok) throw new InvalidOperationException($"xz encoder: {LibLzma.Describe(rc)}");
            return false;
        }
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => _inner.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (_lzma != null)
        {
            try
            {
                if (disposing) Finish();
            }
            finally
            {
                LibLzma.Free(_lzma);
                _lzma = null;
                if (disposing && !_leaveOpen) _inner.Dispose();
            }
        }
        base.Dispose(disposing);
    }
}
