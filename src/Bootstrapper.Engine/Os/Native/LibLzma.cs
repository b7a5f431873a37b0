using System.Runtime.InteropServices;

namespace Bootstrapper.Engine.Os.Native;

/// <summary>
/// The system liblzma (xz-utils), loaded lazily so a host without it falls back to a managed decoder. Decoding
/// .deb data members is the hot path of a build: liblzma is about twice as fast as the managed XZ decoders.
/// </summary>
internal static unsafe class LibLzma
{
    public const int Ok = 0;
    public const int StreamEnd = 1;
    public const int MemError = 5;
    public const int MemlimitError = 6;
    public const int FormatError = 7;
    public const int OptionsError = 8;
    public const int DataError = 9;
    public const int BufError = 10;

    public const int ActionRun = 0;
    public const int ActionFinish = 3;

    /// <summary>Keep decoding after the first .xz stream ends, like `xz -d` does with concatenated files.</summary>
    public const uint Concatenated = 0x08;
    public const int CheckCrc64 = 4;

    private static readonly nint Handle;
    private static readonly delegate* unmanaged<LzmaStream*, ulong, uint, int> StreamDecoder;
    private static readonly delegate* unmanaged<LzmaStream*, LzmaMt*, int> StreamDecoderMt;
    private static readonly delegate* unmanaged<LzmaStream*, uint, int, int> EasyEncoder;
    private static readonly delegate* unmanaged<LzmaStream*, LzmaMt*, int> StreamEncoderMt;
    private static readonly delegate* unmanaged<LzmaStream*, int, int> Code;
    private static readonly delegate* unmanaged<LzmaStream*, void> End;

    static LibLzma()
    {
        if (Environment.GetEnvironmentVariable("BOOTSTRAP_NO_LIBLZMA") == "1") return; // lets tests exercise the fallback
        if (!NativeLibrary.TryLoad("liblzma.so.5", out Handle)) return;
        StreamDecoder = (delegate* unmanaged<LzmaStream*, ulong, uint, int>)NativeLibrary.GetExport(Handle, "lzma_stream_decoder");
        // liblzma 5.4 and later: blocks decoded on several threads (an index compressed with xz -T has several).
        StreamDecoderMt = NativeLibrary.TryGetExport(Handle, "lzma_stream_decoder_mt", out nint decoderMt)
            ? (delegate* unmanaged<LzmaStream*, LzmaMt*, int>)decoderMt : null;
        EasyEncoder = (delegate* unmanaged<LzmaStream*, uint, int, int>)NativeLibrary.GetExport(Handle, "lzma_easy_encoder");
        StreamEncoderMt = NativeLibrary.TryGetExport(Handle, "lzma_stream_encoder_mt", out nint mt)
            ? (delegate* unmanaged<LzmaStream*, LzmaMt*, int>)mt : null;
        Code = (delegate* unmanaged<LzmaStream*, int, int>)NativeLibrary.GetExport(Handle, "lzma_code");
        End = (delegate* unmanaged<LzmaStream*, void>)NativeLibrary.GetExport(Handle, "lzma_end");
    }

    public static bool IsAvailable => Handle != 0;

    /// <summary>lzma_stream (lzma/base.h). LZMA_STREAM_INIT is all zeros.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct LzmaStream
    {
        public byte* NextIn;
        public nuint AvailIn;
        public ulong TotalIn;
        public byte* NextOut;
        public nuint AvailOut;
        public ulong TotalOut;
        public void* Allocator;
        public void* Internal;
        public void* Reserved1, Reserved2, Reserved3, Reserved4;
        public ulong ReservedInt1, ReservedInt2;
        public nuint ReservedInt3, ReservedInt4;
        public int ReservedEnum1, ReservedEnum2;
    }

    /// <summary>lzma_mt (lzma/container.h), options of the multi-threaded .xz encoder.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct LzmaMt
    {
        public uint Flags;
        public uint Threads;
        public ulong BlockSize;
        public uint Timeout;
        public uint Preset;
        public void* Filters;
        public int Check;
        public int ReservedEnum1, ReservedEnum2, ReservedEnum3;
        public uint ReservedInt1, ReservedInt2, ReservedInt3, ReservedInt4;
        public ulong MemlimitThreading, MemlimitStop;
        public ulong ReservedInt7, ReservedInt8;
        public void* ReservedPtr1, ReservedPtr2, ReservedPtr3, ReservedPtr4;
    }

    /// <summary>Allocates a zeroed lzma_stream outside the GC heap: liblzma may keep pointers into it between calls.</summary>
    public static LzmaStream* Allocate() => (LzmaStream*)NativeMemory.AllocZeroed((nuint)sizeof(LzmaStream));

    public static void Free(LzmaStream* stream)
    {
        if (stream == null) return;
        End(stream);
        NativeMemory.Free(stream);
    }

    /// <param name="threads">More than one decodes the blocks of a multi-block file in parallel (when liblzma can);
    /// the output is the same bytes either way.</param>
    public static int InitDecoder(LzmaStream* stream, int threads = 1)
    {
        if (threads <= 1 || StreamDecoderMt == null) return StreamDecoder(stream, ulong.MaxValue, Concatenated);
        LzmaMt mt = default;
        mt.Flags = Concatenated;
        mt.Threads = (uint)threads;
        // No memory limit, as for the single-threaded decoder; threads are used as long as blocks allow.
        mt.MemlimitThreading = ulong.MaxValue;
        mt.MemlimitStop = ulong.MaxValue;
        return StreamDecoderMt(stream, &mt);
    }

    /// <summary>
    /// CRC64 check, like `xz`. The multi-threaded encoder is used whenever liblzma has it, even for one thread: its
    /// output depends on the block size (derived from the preset), not on the number of threads, so the same input
    /// gives the same bytes on any machine, while the single-threaded encoder would give different ones.
    /// </summary>
    public static int InitEncoder(LzmaStream* stream, uint preset, int threads)
    {
        if (StreamEncoderMt == null) return EasyEncoder(stream, preset, CheckCrc64);
        LzmaMt mt = default;
        mt.Threads = (uint)threads;
        mt.Preset = preset;
        mt.Check = CheckCrc64;
        return StreamEncoderMt(stream, &mt);
    }

    public static int Run(LzmaStream* stream, int action) => Code(stream, action);

    public static string Describe(int code) => code switch
    {
        MemError => "out of memory",
        MemlimitError => "memory limit reached",
        FormatError => "not in .xz format",
        OptionsError => "unsupported .xz options",
        DataError => "corrupt .xz data",
        BufError => "truncated .xz data",
        _ => $"liblzma error {code}",
    };
}
