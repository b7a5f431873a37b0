using System.Text;
using Bootstrapper.Core;

namespace Bootstrapper.Engine.Archives;

/// <summary>
/// Writes tar headers byte by byte, in GNU format (what `tar --format=gnu` writes): numbers in octal or base-256
/// when too large, long names as "././@LongLink" entries, no user or group names, no atime/ctime. Entries with
/// extended attributes get a POSIX 'x' header first whose SCHILY.xattr.NAME records carry the raw value bytes:
/// the pax format allows any bytes in values (records are length-prefixed), which binary security.capability needs.
/// GNU tar, Python's tarfile and Go's archive/tar (podman import) all read this mix.
/// </summary>
internal sealed class GnuTarWriter(Stream output)
{
    private const int Block = TarFields.Block;
    /// <summary>GNU tar's default blocking factor of 20: output length is a multiple of 10240 bytes.</summary>
    private const int Record = 20 * Block;
    private readonly byte[] _header = new byte[Block];
    private long _written;

    public void WriteHeader(in TarItem item)
    {
        byte[] name = Encoding.UTF8.GetBytes(item.Name);
        byte[] link = Encoding.UTF8.GetBytes(item.LinkName);
        if (item.Xattrs is { Count: > 0 } xattrs)
        {
            WritePax(xattrs, name.Length > 100 ? name : null, link.Length > 100 ? link : null, item.Mtime);
        }
        else
        {
            if (link.Length > 100) WriteLongLink('K', link);
            if (name.Length > 100) WriteLongLink('L', name);
        }
        FillHeader(name, item.Type, item.Mode, item.Uid, item.Gid, item.Size, item.Mtime, link, gnu: true);
        if (item.Type is '3' or '4')
        {
            Octal(329, 8, item.DevMajor);
            Octal(337, 8, item.DevMinor);
        }
        Emit();
    }

    /// <summary>Raw bytes (entry data); call <see cref="PadData"/> after the last piece of an entry.</summary>
    public void WriteData(ReadOnlySpan<byte> data)
    {
        output.Write(data);
        _written += data.Length;
    }

    public void PadData()
    {
        WriteZeros(TarFields.Padding(_written));
    }

    /// <summary>Two zero blocks end the archive; then pad to a whole record like GNU tar.</summary>
    public void Finish()
    {
        WriteZeros(2 * Block);
        int partial = (int)(_written % Record);
        if (partial != 0) WriteZeros(Record - partial);
        output.Flush();
    }

    private void WriteLongLink(char type, byte[] value)
    {
        // The data is the full name plus a terminating NUL; the header's own name is fixed by convention.
        FillHeader("././@LongLink"u8.ToArray(), type, 0x1A4 /* 0644, as GNU tar writes */, 0, 0, value.Length + 1, 0, [], gnu: true);
        Emit();
        WriteData(value);
        WriteData([0]);
        PadData();
    }

    private void WritePax(IReadOnlyList<KeyValuePair<string, byte[]>> xattrs, byte[]? longName, byte[]? longLink, long mtime)
    {
        var records = new MemoryStream();
        if (longName is not null) AppendRecord(records, "path", longName);
        if (longLink is not null) AppendRecord(records, "linkpath", longLink);
        foreach (var (key, value) in xattrs.OrderBy(x => x.Key, StringComparer.Ordinal))
            AppendRecord(records, "SCHILY.xattr." + key, value);
        // A fixed header name keeps the output reproducible (the .NET writer puts the process id there).
        FillHeader("././@PaxHeader"u8.ToArray(), 'x', 0x1A4, 0, 0, records.Length, mtime, [], gnu: false);
        Emit();
        WriteData(records.GetBuffer().AsSpan(0, (int)records.Length));
        PadData();
    }

    /// <summary>A pax record is "LEN KEY=VALUE\n" where LEN counts the whole record, its own digits included.</summary>
    private static void AppendRecord(MemoryStream records, string key, byte[] value)
    {
        int body = 1 + Encoding.UTF8.GetByteCount(key) + 1 + value.Length + 1; // " key=value\n"
        int length = body + 1;
        while (length != body + length.ToString().Length) length = body + length.ToString().Length;
        records.Write(Encoding.ASCII.GetBytes(length + " " + key + "="));
        records.Write(value);
        records.WriteByte((byte)'\n');
    }

    private void FillHeader(byte[] name, char type, uint mode, uint uid, uint gid, long size, long mtime, byte[] link, bool gnu)
    {
        Array.Clear(_header);
        name.AsSpan(0, Math.Min(100, name.Length)).CopyTo(_header);
        Octal(100, 8, mode & 0xFFF);
        Number(108, 8, uid);
        Number(116, 8, gid);
        Number(124, 12, size);
        Number(136, 12, mtime);
        _header[156] = (byte)type;
        link.AsSpan(0, Math.Min(100, link.Length)).CopyTo(_header.AsSpan(157));
        // GNU: "ustar  \0"; POSIX: "ustar\0" "00".
        (gnu ? "ustar  \0"u8 : "ustar\u000000"u8).CopyTo(_header.AsSpan(257));
    }

    private void Emit()
    {
        TarFields.SealChecksum(_header);
        WriteData(_header);
    }

    private void Octal(int offset, int length, long value) => TarFields.Octal(_header.AsSpan(offset, length), value);

    /// <summary>Octal when it fits in length-1 digits; otherwise GNU base-256 (high bit set, big-endian two's complement).</summary>
    private void Number(int offset, int length, long value)
    {
        if (value >= 0 && value < 1L << (3 * (length - 1)))
        {
            Octal(offset, length, value);
            return;
        }
        for (int i = length - 1; i > 0; i--)
        {
            _header[offset + i] = (byte)value;
            value >>= 8;
        }
        _header[offset] = (byte)(value < 0 ? 0xFF : 0x80);
    }

    private static readonly byte[] Zeros = new byte[Record];

    private void WriteZeros(int count) => WriteData(Zeros.AsSpan(0, count));
}
