namespace Bootstrapper.Core;

/// <summary>
/// The header arithmetic every tar this product writes shares (images and OCI layers through the Engine's
/// GnuTarWriter, apk's scripts.tar through <see cref="Alpine.Package.ApkTar"/>) and that the apk segment reader checks:
/// right-aligned zero-filled octal fields and the header checksum. Reading whole archives is System.Formats.Tar's job;
/// apk's signature and control segments, which have no end marker, are read by ApkTar.
/// </summary>
internal static class TarFields
{
    public const int Block = 512;

    /// <summary>Offset and length of the checksum field.</summary>
    private const int ChecksumOffset = 148, ChecksumLength = 8;

    /// <summary>
    /// Writes <paramref name="value"/> in octal, right-aligned and zero-filled, over the whole field or, when
    /// <paramref name="nulTerminated"/>, all but its last byte, which becomes NUL (GNU tar and apk's put_octal alike).
    /// </summary>
    public static void Octal(Span<byte> field, long value, bool nulTerminated = true)
    {
        int i = field.Length - 1;
        if (nulTerminated) field[i--] = 0;
        for (; i >= 0; i--)
        {
            field[i] = (byte)('0' + (value & 7));
            value >>= 3;
        }
    }

    /// <summary>
    /// Fills in the checksum of a complete header: the byte sum of the header with the checksum field read as eight
    /// spaces, written as six octal digits, NUL and space (what GNU tar and apk write).
    /// </summary>
    public static void SealChecksum(Span<byte> header)
    {
        var field = header.Slice(ChecksumOffset, ChecksumLength);
        field.Fill((byte)' ');
        int sum = 0;
        foreach (var b in header[..Block]) sum += b;
        Octal(field[..7], sum);
    }

    /// <summary>Whether the stored checksum (octal, ended by NUL or space) matches the header's bytes.</summary>
    public static bool ChecksumMatches(ReadOnlySpan<byte> header)
    {
        long sum = 0;
        for (int i = 0; i < Block; i++) sum += i is >= ChecksumOffset and < ChecksumOffset + ChecksumLength ? ' ' : header[i];
        long stored = 0;
        foreach (var b in header.Slice(ChecksumOffset, ChecksumLength))
        {
            if (b is >= (byte)'0' and <= (byte)'7') stored = stored * 8 + (b - '0');
            else if (b is 0 or (byte)' ') { if (stored > 0) break; }
            else return false;
        }
        return stored == sum;
    }

    /// <summary>Zero bytes that pad <paramref name="length"/> bytes of data to a whole block.</summary>
    public static int Padding(long length) => (int)((Block - length % Block) % Block);
}
