using System.Security.Cryptography;
using System.Text;
using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Compression;

namespace Bootstrapper.Engine.Families.Debian.Repository;

/// <summary>Turns a verified, compressed Packages file into text.</summary>
internal static class RepositoryIndexDecoder
{
    /// <summary>Compressed forms apt tries, best first, with their file extensions.</summary>
    public static readonly (string FileName, string Extension)[] Candidates =
    [
        ("Packages.xz", "xz"),
        ("Packages.gz", "gz"),
        ("Packages", ""),
    ];

    /// <exception cref="VerificationException">The file verified against the Release but does not decompress.</exception>
    public static string Decode(string path, string extension, string source, long sizeHint = 0) =>
        Text(DecodeBytes(path, extension, source, sizeHint));

    /// <summary>
    /// The decompressed bytes. Decoding to bytes first and to text in one step keeps the peak small: a
    /// <see cref="StreamReader"/> grows a builder in chunks and then copies it (about three UTF-16 copies of a
    /// 50 MB index alive at once), while here there is one byte copy and one exact-size string.
    /// </summary>
    /// <param name="sizeHint">The decompressed size when the Release lists it (0: unknown), to allocate once.</param>
    public static ArraySegment<byte> DecodeBytes(string path, string extension, string source, long sizeHint = 0) =>
        DecodeBytes(path, extension, source, sizeHint, out _);

    /// <param name="sha256">Lower-case hex SHA-256 of the decompressed bytes, hashed while they come out of the
    /// decoder (its worker threads decode the next block meanwhile), to compare with the Release's plain entry; null
    /// for an uncompressed file, which was verified against its own entry already.</param>
    public static ArraySegment<byte> DecodeBytes(string path, string extension, string source, long sizeHint, out string? sha256)
    {
        try
        {
            sha256 = null;
            if (extension.Length == 0) return File.ReadAllBytes(path);
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            // The one door to decompression: it picks liblzma when the host has it (bookworm main's 50 MB Packages
            // decodes in ~0.7 s versus ~2-3 s with SharpCompress here) and the managed decoder when not.
            var kind = Decompression.KindFromName("Packages." + extension);
            if (kind is not (CompressionKind.Xz or CompressionKind.Gzip))
                throw new InvalidDataException($"unknown compression '{extension}'");
            // Debian's large indices are written by xz -T in several blocks: decoded on every core (bookworm main's
            // 8.8 MB Packages.xz has 2).
            using var stream = Decompression.Open(file, kind, threads: Environment.ProcessorCount);
            // One spare byte so that a correct hint never makes the stream grow to find the end.
            using var buffer = new MemoryStream(sizeHint is > 0 and < int.MaxValue - 1 ? (int)sizeHint + 1 : 1 << 20);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var chunk = new byte[1 << 16];
            int n;
            while ((n = stream.Read(chunk)) > 0)
            {
                buffer.Write(chunk, 0, n);
                hash.AppendData(chunk, 0, n);
            }
            sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            return new ArraySegment<byte>(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or FormatException)
        {
            throw new VerificationException(
                $"{source}: matches the signed Release but cannot be decompressed ({e.Message}); the repository is broken, use another mirror", e);
        }
    }

    /// <summary>UTF-8 to text; invalid sequences become U+FFFD (as the index's own text reader did before).</summary>
    public static string Text(ArraySegment<byte> bytes) => Utf8.GetString(bytes);

    private static readonly UTF8Encoding Utf8 = new(false);
}
