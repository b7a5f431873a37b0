using System.Text;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Core.Alpine.Package;

/// <summary>One tar entry of an apk segment. <see cref="Data"/> is a window on the decompressed member.</summary>
internal sealed record ApkTarEntry
{
    public required string Name { get; init; }
    /// <summary>ustar typeflag: '0' file, '1' hardlink, '2' symlink, '3' char, '4' block, '5' dir, '6' fifo.</summary>
    public required char Type { get; init; }
    /// <summary>Permission bits only (07777).</summary>
    public required int Mode { get; init; }
    public required int Uid { get; init; }
    public required int Gid { get; init; }
    public required long MTime { get; init; }
    public string LinkName { get; init; } = "";
    public ReadOnlyMemory<byte> Data { get; init; }
    public IReadOnlyDictionary<string, string> Pax { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// Reads and writes the tar subset apk uses. Alpine's signature and control sections are tar *segments*: headers
/// and padded data without the two zero end-of-archive blocks (abuild-tar --cut), so only concatenated they form
/// one archive. This reader therefore accepts a segment that simply ends, as well as a normal end marker.
/// It understands ustar, PAX 'x' records (abuild stores APK-TOOLS.checksum.SHA1 there) and GNU 'L'/'K' names.
/// System.Formats.Tar cannot take this reader's place: it applies an 'x' header's path to the GNU header that
/// follows (abuild's layout) but returns a GnuTarEntry without the other records, so the per-file checksums would be lost.
/// </summary>
internal static class ApkTar
{
    private const int Block = TarFields.Block;

    public static IReadOnlyList<ApkTarEntry> Read(ReadOnlyMemory<byte> tar, string source)
    {
        var entries = new List<ApkTarEntry>();
        var span = tar.Span;
        int pos = 0;
        Dictionary<string, string>? pax = null;
        string? longName = null, longLink = null;
        while (pos + Block <= tar.Length)
        {
            var h = span.Slice(pos, Block);
            if (h.IndexOfAnyExcept((byte)0) < 0) break; // end-of-archive marker
            if (!TarFields.ChecksumMatches(h)) throw Bad(source, pos, "header checksum mismatch");
            long size = Octal(h.Slice(124, 12), source, pos);
            char type = h[156] == 0 ? '0' : (char)h[156];
            int dataStart = pos + Block;
            if (size < 0 || dataStart + size > tar.Length) throw Bad(source, pos, "entry data runs past the end (truncated?)");
            var data = tar.Slice(dataStart, (int)size);
            pos = dataStart + (int)((size + Block - 1) / Block * Block);
            switch (type)
            {
                case 'x':
                    pax = ParsePax(data.Span, source, dataStart);
                    continue;
                case 'g':
                    continue;
                case 'L':
                    longName = Encoding.UTF8.GetString(data.Span).TrimEnd('\0');
                    continue;
                case 'K':
                    longLink = Encoding.UTF8.GetString(data.Span).TrimEnd('\0');
                    continue;
            }
            string name = CString(h[..100]);
            var magic = h.Slice(257, 6);
            if (magic.SequenceEqual("ustar\0"u8)) // POSIX ustar: prefix field holds leading directories
            {
                string prefix = CString(h.Slice(345, 155));
                if (prefix.Length > 0) name = prefix + "/" + name;
            }
            if (longName is not null) name = longName;
            string link = longLink ?? CString(h.Slice(157, 100));
            if (pax is not null)
            {
                if (pax.TryGetValue("path", out var p)) name = p;
                if (pax.TryGetValue("linkpath", out var l)) link = l;
                if (pax.TryGetValue("size", out var s) && long.Parse(s) != size)
                    throw Bad(source, pos, "PAX size override is not supported");
            }
            entries.Add(new ApkTarEntry
            {
                Name = name,
                Type = type,
                Mode = (int)(Octal(h.Slice(100, 8), source, pos) & 0xfff),
                Uid = (int)Octal(h.Slice(108, 8), source, pos),
                Gid = (int)Octal(h.Slice(116, 8), source, pos),
                MTime = pax is not null && pax.TryGetValue("mtime", out var mt) && long.TryParse(mt.Split('.')[0], out var m)
                    ? m : Octal(h.Slice(136, 12), source, pos),
                LinkName = link,
                Data = data,
                Pax = (IReadOnlyDictionary<string, string>?)pax ?? new Dictionary<string, string>(),
            });
            pax = null;
            longName = longLink = null;
        }
        if (pos < tar.Length && span[pos..].IndexOfAnyExcept((byte)0) >= 0 && pos + Block > tar.Length)
            throw Bad(source, pos, "partial header at the end (truncated?)");
        return entries;
    }

    /// <summary>
    /// Writes one regular-file entry exactly as apk-tools' tar writer does (old GNU magic "ustar  ", owner names
    /// "root", permission bits only), so lib/apk/db/scripts.tar matches what apk itself would produce.
    /// </summary>
    public static void WriteFile(Stream output, string name, int mode, long mtime, ReadOnlySpan<byte> data)
    {
        Span<byte> h = stackalloc byte[Block];
        h.Clear();
        var nameBytes = Encoding.UTF8.GetBytes(name);
        if (nameBytes.Length > 99) throw new ArgumentException($"tar name too long: {name}");
        nameBytes.CopyTo(h);
        // apk's put_octal: mode, uid and gid NUL-terminated; size and mtime use all twelve digits.
        TarFields.Octal(h.Slice(100, 8), mode & 0xfff);
        TarFields.Octal(h.Slice(108, 8), 0);
        TarFields.Octal(h.Slice(116, 8), 0);
        TarFields.Octal(h.Slice(124, 12), data.Length, nulTerminated: false);
        TarFields.Octal(h.Slice(136, 12), mtime, nulTerminated: false);
        h[156] = (byte)'0';
        "ustar  \0"u8.CopyTo(h.Slice(257, 8));
        "root"u8.CopyTo(h.Slice(265, 32));
        "root"u8.CopyTo(h.Slice(297, 32));
        TarFields.SealChecksum(h);
        output.Write(h);
        output.Write(data);
        int pad = TarFields.Padding(data.Length);
        if (pad > 0) output.Write(new byte[pad]);
    }

    /// <summary>The two zero blocks that end an archive.</summary>
    public static void WriteEnd(Stream output) => output.Write(new byte[2 * Block]);

    private static long Octal(ReadOnlySpan<byte> field, string source, int pos)
    {
        if ((field[0] & 0x80) != 0) // GNU base-256 for large values
        {
            long v = field[0] & 0x7f;
            for (int i = 1; i < field.Length; i++) v = v << 8 | field[i];
            return v;
        }
        long r = 0;
        foreach (var b in field)
        {
            if (b is >= (byte)'0' and <= (byte)'7') r = r * 8 + (b - '0');
            else if (b is 0 or (byte)' ') { if (r > 0) break; }
            else throw Bad(source, pos, "bad octal number in header");
        }
        return r;
    }

    private static string CString(ReadOnlySpan<byte> field)
    {
        int z = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(z < 0 ? field : field[..z]);
    }

    private static Dictionary<string, string> ParsePax(ReadOnlySpan<byte> data, string source, int pos)
    {
        // Records are "<length> <key>=<value>\n", length counting the whole record in bytes.
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        int p = 0;
        while (p < data.Length)
        {
            int space = data[p..].IndexOf((byte)' ');
            if (space <= 0 || !int.TryParse(Encoding.ASCII.GetString(data.Slice(p, space)), out int len) ||
                len <= space || p + len > data.Length)
                throw Bad(source, pos, "malformed PAX record");
            var rec = data.Slice(p + space + 1, len - space - 2);
            int eq = rec.IndexOf((byte)'=');
            if (eq < 0) throw Bad(source, pos, "malformed PAX record");
            d[Encoding.UTF8.GetString(rec[..eq])] = Encoding.UTF8.GetString(rec[(eq + 1)..]);
            p += len;
        }
        return d;
    }

    private static InstallException Bad(string source, int pos, string what) =>
        new($"{source}: malformed tar at byte {pos}: {what}.");
}
