using System.Runtime.InteropServices;
using Bootstrapper.Engine.Os.Native;
using Bootstrapper.Engine.Streams;

namespace Bootstrapper.Engine.Compression;

/// <summary>Read-only stream that decodes .xz (concatenated streams allowed) from an inner stream with liblzma.</summary>
internal sealed unsafe class XzDecoderStream : ForwardReadStream
{
    private const int InputSize = 64 * 1024;
    private readonly Stream _inner;
    private readonly bool _leaveOpen;
    private LibLzma.LzmaStream* _lzma;
    private byte* _input;
    private bool _inputEnded;
    private bool _finished;

    /// <param name="threads">See <see cref="LibLzma.InitDecoder"/>.</param>
    public XzDecoderStream(Stream inner, bool leaveOpen = false, int threads = 1)
    {
        _inner = inner;
        _leaveOpen = leaveOpen;
        _lzma = LibLzma.Allocate();
        int rc = LibLzma.InitDecoder(_lzma, threads);
        if (rc != LibLzma.Ok)
        {
            LibLzma.Free(_lzma);
            _lzma = null;
            throw new InvalidDataException($"cannot start the xz decoder: {LibLzma.Describe(rc)}");
        }
        _input = (byte*)NativeMemory.Alloc(InputSize);
    }

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_lzma == null, this);
        if (buffer.IsEmpty || _finished) return 0;
        fixed (byte* output = buffer)
        {
            _lzma->NextOut = output;
            _lzma->AvailOut = (nuint)buffer.Length;
            // Loop until at least one byte comes out: liblzma may consume input (headers, block boundaries) without
            // producing output, and returning 0 would look like end of stream.
            while (true)
            {
                if (_lzma->AvailIn == 0 && !_inputEnded)
                {
                    int n = _inner.Read(new Span<byte>(_input, InputSize));
                    if (n == 0) _inputEnded = true;
                    _lzma->NextIn = _input;
                    _lzma->AvailIn = (nuint)n;
                }
                int rc = LibLzma.Run(_lzma, _inputEnded ? LibLzma.ActionFinish : LibLzma.ActionRun);
                int produced = buffer.Length - (int)_lzma->AvailOut;
                if (rc == LibLzma.StreamEnd)
                {
                    _finished = true;
                    BytesRead += produced;
                    return produced;
                }
                if (rc != LibLzma.Ok) throw new InvalidDataException($"xz: {LibLzma.Describe(rc)}");
                if (produced > 0)
                {
                    BytesRead += produced;
                    return produced;
                }
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (_lzma != null)
        {
            LibLzma.Free(_lzma);
            _lzma = null;
            NativeMemory.Free(_input);
            _input = null;
            if (disposing && !_leaveOpen) _inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
