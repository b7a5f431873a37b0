using System.Security.Cryptography;
using System.Text;

namespace Bootstrapper.Tests.Fixtures.Alpine;

/// <summary>An entry to put in a fixture package's data tar.</summary>
public sealed record FixtureEntry(string Name, char Type, int Mode, byte[]? Content = null, string LinkName = "",
    int Uid = 0, int Gid = 0, long MTime = 1_700_000_000)
{
    public static FixtureEntry Dir(string name, int mode = 0x1ed, int uid = 0, int gid = 0) =>
        new(name.TrimEnd('/') + "/", '5', mode, Uid: uid, Gid: gid);
    public static FixtureEntry File(string name, byte[] content, int mode = 0x1a4, int uid = 0, int gid = 0) =>
        new(name, '0', mode, content, Uid: uid, Gid: gid);
    public static FixtureEntry File(string name, string content, int mode = 0x1a4) =>
        File(name, Encoding.UTF8.GetBytes(content), mode);
    public static FixtureEntry Symlink(string name, string target) => new(name, '2', 0x1ff, LinkName: target);
    public static FixtureEntry Hardlink(string name, string target) => new(name, '1', 0x1a4, LinkName: target);
}

/// <summary>
/// Writes tar the way abuild does for .apk data: ustar headers, each file and symlink preceded by a PAX header
/// carrying APK-TOOLS.checksum.SHA1 (abuild-tar --hash), regular end-of-archive blocks optional ("--cut" omits them).
/// Written by hand rather than with System.Formats.Tar so hostile names ("../x", "/etc/x") can be produced.
/// </summary>
public static class FixtureTar
{
    /// <param name="gnuMagic">Old GNU magic "ustar  " as GNU tar writes it (abuild feeds GNU tar output to
    /// abuild-tar), instead of POSIX "ustar\0" "00".</param>
    public static byte[] Build(IEnumerable<FixtureEntry> entries, bool withChecksums, bool endBlocks, bool gnuMagic = false)
    {
        using var ms = new MemoryStream();
        foreach (var e in entries)
        {
            var content = e.Type == '0' ? e.Content ?? [] : [];
            if (withChecksums && e.Type is '0' or '2')
            {
                var sha = SHA1.HashData(e.Type == '0' ? content : Encoding.UTF8.GetBytes(e.LinkName));
                var rec = PaxRecord("APK-TOOLS.checksum.SHA1", Convert.ToHexStringLower(sha));
                WriteHeader(ms, "PaxHeader", 'x', 0x1a4, rec.Length, "", 0, 0, e.MTime, gnuMagic);
                WriteData(ms, rec);
            }
            WriteHeader(ms, e.Name, e.Type, e.Mode, content.Length, e.LinkName, e.Uid, e.Gid, e.MTime, gnuMagic);
            WriteData(ms, content);
        }
        if (endBlocks) ms.Write(new byte[1024]);
        return ms.ToArray();
    }

    public static byte[] PaxRecord(string key, string value)
    {
        var body = $" {key}={value}\n";
        int len = body.Length + 1;
        while ((len.ToString() + body).Length != len) len++;
        return Encoding.UTF8.GetBytes(len + body);
    }

    public static void WriteHeader(Stream s, string name, char type, int mode, long size, string link, int uid, int gid,
        long mtime, bool gnuMagic = false)
    {
        var h = new byte[512];
        Encoding.UTF8.GetBytes(name).CopyTo(h, 0);
        Octal(h, 100, 8, mode);
        Octal(h, 108, 8, uid);
        Octal(h, 116, 8, gid);
        Octal(h, 124, 12, size);
        Octal(h, 136, 12, mtime);
        h[156] = (byte)type;
        Encoding.UTF8.GetBytes(link).CopyTo(h, 157);
        (gnuMagic ? "ustar  \0"u8 : "ustar\000"u8).CopyTo(h.AsSpan(257));
        "root"u8.CopyTo(h.AsSpan(265));
        "root"u8.CopyTo(h.AsSpan(297));
        for (int i = 148; i < 156; i++) h[i] = (byte)' ';
        int sum = h.Sum(b => b);
        Octal(h, 148, 7, sum);
        s.Write(h);
    }

    public static void WriteData(Stream s, ReadOnlySpan<byte> data)
    {
        s.Write(data);
        int pad = (512 - data.Length % 512) % 512;
        s.Write(new byte[pad]);
    }

    private static void Octal(byte[] h, int off, int len, long v)
    {
        var text = Convert.ToString(v, 8).PadLeft(len - 1, '0');
        Encoding.ASCII.GetBytes(text).CopyTo(h, off);
        h[off + len - 1] = 0;
    }
}
