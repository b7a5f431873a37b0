using System.IO.Compression;
using Bootstrapper.Engine.Os.Native;
using Bootstrapper.Engine.Streams;
using SharpCompress.Compressors.BZip2;
using SharpCompress.Compressors.Xz;

namespace Bootstrapper.Engine.Compression;

/// <summary>Opens decompressing read streams; picks the kind from a file or member name.</summary>
internal static class Decompression
{
    /// <summary>
    /// The kind implied by a name's suffix: "data.tar.xz" is xz, "control.tar" is none. Unknown suffixes are none,
    /// so callers that need a tar should check the name ends in ".tar" after stripping the suffix.
    /// </summary>
    public static CompressionKind KindFromName(string name) =>
        name.EndsWith(".gz", StringComparison.Ordinal) ? CompressionKind.Gzip
        : name.EndsWith(".xz", StringComparison.Ordinal) ? CompressionKind.Xz
        : name.EndsWith(".zst", StringComparison.Ordinal) ? CompressionKind.Zstd
        : name.EndsWith(".bz2", StringComparison.Ordinal) ? CompressionKind.Bzip2
        : CompressionKind.None;

    /// <summary>True when xz is decoded by the system liblzma (fast path) rather than the managed fallback.</summary>
    public static bool UsesNativeXz => LibLzma.IsAvailable;

    /// <summary>
    /// A read-only stream of the decompressed bytes. Corrupt input surfaces as <see cref="InvalidDataException"/>
    /// (or the library's own exception) while reading; callers wrap it with the package or file name.
    /// </summary>
    /// <param name="threads">For xz with liblzma: decode a multi-block file's blocks on this many threads (a
    /// repository index; a .deb's data member has one block, and packages are decoded side by side instead).</param>
    public static Stream Open(Stream compressed, CompressionKind kind, bool leaveOpen = false, int threads = 1) => kind switch
    {
        CompressionKind.None => leaveOpen ? new NonClosingStream(compressed) : compressed,
        // GZipStream reads concatenated gzip members, as gzip -d does.
        CompressionKind.Gzip => new GZipStream(compressed, System.IO.Compression.CompressionMode.Decompress, leaveOpen),
        CompressionKind.Xz => LibLzma.IsAvailable
            ? new XzDecoderStream(compressed, leaveOpen, threads)
            : OpenManagedXz(compressed, leaveOpen),
        CompressionKind.Zstd => new ZstdSharp.DecompressionStream(compressed, leaveOpen: leaveOpen),
        CompressionKind.Bzip2 => BZip2Stream.Create(compressed, SharpCompress.Compressors.CompressionMode.Decompress, decompressConcatenated: true,
            leaveOpen: leaveOpen),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The managed decoder, also reachable directly so tests and benchmarks can compare it.</summary>
    public static Stream OpenManagedXz(Stream compressed, bool leaveOpen = false)
    {
        var xz = new XZStream(leaveOpen ? new NonClosingStream(compressed) : compressed);
        return xz;
    }
}
