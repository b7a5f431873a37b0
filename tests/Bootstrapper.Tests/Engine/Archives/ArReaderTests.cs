using System.Text;
using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Archives;

namespace Bootstrapper.Tests.Engine.Archives;

public sealed class ArReaderTests
{
    /// <summary>Only Read works: proves the reader never seeks or asks for the length.</summary>
    private sealed class ForwardOnlyStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    }

    private static byte[] Archive(params (string Name, byte[] Data)[] members)
    {
        var stream = new MemoryStream();
        var writer = new ArWriter(stream);
        foreach (var (name, data) in members) writer.Add(name, data, mtime: 1_600_000_000, mode: 0x1A4);
        return stream.ToArray();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Round_trips_odd_and_even_sizes_on_seekable_and_forward_only_streams(bool seekable)
    {
        byte[] odd = Enumerable.Range(0, 4097).Select(i => (byte)i).ToArray();
        byte[] bytes = Archive(("debian-binary", "2.0\n"u8.ToArray()), ("odd", odd), ("empty", []), ("even", [1, 2]));
        Stream stream = seekable ? new MemoryStream(bytes) : new ForwardOnlyStream(bytes);
        var reader = new ArReader(stream, "test.ar");

        var first = reader.Next()!;
        Assert.Equal(("debian-binary", 4L, 1_600_000_000L, 0x1A4u), (first.Name, first.Size, first.ModifiedTime, first.Mode));
        var second = reader.Next()!;
        Assert.Equal("odd", second.Name);
        byte[] half = new byte[100];
        second.Data.ReadExactly(half); // read part, leave the rest: Next() must skip it and the pad byte
        Assert.Equal(odd[..100], half);
        var third = reader.Next()!;
        Assert.Equal(("empty", 0L), (third.Name, third.Size));
        var fourth = reader.Next()!;
        Assert.Equal("even", fourth.Name);
        Assert.Equal(new byte[] { 1, 2 }, ReadAll(fourth.Data));
        Assert.Null(reader.Next());
    }

    [Fact]
    public void Matches_ar_on_a_dpkg_built_deb()
    {
        using var temp = new TempDir();
        string pkg = temp.Sub("p");
        Directory.CreateDirectory(Path.Combine(pkg, "DEBIAN"));
        File.WriteAllText(Path.Combine(pkg, "DEBIAN/control"),
            "Package: p\nVersion: 1\nArchitecture: all\nMaintainer: T <t@example.org>\nDescription: d\n");
        string deb = Path.Combine(temp.Path, "p.deb");
        Sh.Run("dpkg-deb", "--build", pkg, deb);

        using var stream = File.OpenRead(deb);
        var reader = new ArReader(stream, deb);
        var names = new List<string>();
        while (reader.Next() is { } member)
        {
            names.Add(member.Name);
            string extracted = Path.Combine(temp.Path, "member");
            File.WriteAllBytes(extracted, Sh.RunBytes("ar", ["p", deb, member.Name], []));
            Assert.Equal(File.ReadAllBytes(extracted), ReadAll(member.Data));
        }
        Assert.Equal(Sh.Run("ar", "t", deb).Split('\n', StringSplitOptions.RemoveEmptyEntries), names);
    }

    [Fact]
    public void Reads_GNU_long_names_and_skips_the_symbol_table()
    {
        // Hand-made like GNU ar: "/" symbol table, "//" long-name table, then a member named "/0".
        string longName = "a-rather-long-member-name.o";
        var ar = new StringBuilder("!<arch>\n");
        ar.Append(Header("/", 4)).Append("\0\0\0\0");
        string table = longName + "/\n";
        ar.Append(Header("//", table.Length)).Append(table);
        if (table.Length % 2 == 1) ar.Append('\n');
        ar.Append(Header("/0", 3)).Append("abc\n");
        var reader = new ArReader(new MemoryStream(Encoding.ASCII.GetBytes(ar.ToString())), "gnu.a");
        var member = reader.Next()!;
        Assert.Equal(longName, member.Name);
        Assert.Equal("abc"u8.ToArray(), ReadAll(member.Data));
        Assert.Null(reader.Next());
    }

    [Fact]
    public void Reads_BSD_long_names()
    {
        string name = "bsd-style-long-name.txt"; // 23 bytes, stored at the start of the data
        var ar = new StringBuilder("!<arch>\n");
        ar.Append(Header("#1/23", 23 + 5)).Append(name).Append("hello").Append('\n');
        var member = new ArReader(new MemoryStream(Encoding.ASCII.GetBytes(ar.ToString())), "bsd.a").Next()!;
        Assert.Equal((name, 5L), (member.Name, member.Size));
        Assert.Equal("hello"u8.ToArray(), ReadAll(member.Data));
    }

    [Fact]
    public void Rejects_wrong_magic()
    {
        var e = Assert.Throws<InstallException>(() => new ArReader(new MemoryStream("<html>\n<body>"u8.ToArray()), "bash.deb"));
        Assert.Equal("bash.deb: malformed ar archive: it does not start with the ar magic \"!<arch>\\n\" (not a .deb or ar " +
                     "archive). The file is corrupt or not a .deb; delete it from the cache and download it again.", e.Message);
    }

    [Fact]
    public void Rejects_bad_headers()
    {
        byte[] good = Archive(("m", "data"u8.ToArray()));
        byte[] badTerminator = (byte[])good.Clone();
        badTerminator[8 + 58] = (byte)'X';
        var e = Assert.Throws<InstallException>(() => new ArReader(new MemoryStream(badTerminator), "x.deb").Next());
        Assert.Contains("bad member header terminator at member 'm/'", e.Message);

        byte[] badSize = (byte[])good.Clone();
        badSize[8 + 48] = (byte)'z';
        e = Assert.Throws<InstallException>(() => new ArReader(new MemoryStream(badSize), "x.deb").Next());
        Assert.Contains("bad size field", e.Message);

        e = Assert.Throws<InstallException>(() => new ArReader(new MemoryStream(good[..30]), "x.deb").Next());
        Assert.Contains("truncated member header (22 of 60 bytes)", e.Message);
    }

    [Fact]
    public void Truncated_member_data_fails_when_read()
    {
        byte[] good = Archive(("m", new byte[1000]));
        var member = new ArReader(new MemoryStream(good[..500]), "x.deb").Next()!;
        var e = Assert.Throws<EndOfStreamException>(() => ReadAll(member.Data));
        Assert.Contains("x.deb: member 'm/': truncated", e.Message);
    }

    private static string Header(string name, long size) =>
        name.PadRight(16) + "0".PadRight(12) + "0".PadRight(6) + "0".PadRight(6) + "644".PadRight(8) +
        size.ToString().PadRight(10) + "`\n";

    private static byte[] ReadAll(Stream s)
    {
        var copy = new MemoryStream();
        s.CopyTo(copy);
        return copy.ToArray();
    }
}
