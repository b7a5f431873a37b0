using Bootstrapper.Engine.Compression;
using Bootstrapper.Tests.Engine.Archives;

namespace Bootstrapper.Tests.Engine.Compression;

public sealed class DecompressionTests
{
    /// <summary>~600 KB that compresses, but not to nothing: words from a small vocabulary in a seeded random order.</summary>
    private static readonly byte[] Sample = MakeSample();

    private static byte[] MakeSample()
    {
        var random = new Random(42);
        string[] words = ["dpkg", "apt", "tar", "xz", "root", "/usr/bin", "\n", "libc6", "0755", "merged"];
        var text = new System.Text.StringBuilder();
        while (text.Length < 600_000) text.Append(words[random.Next(words.Length)]).Append(' ');
        return System.Text.Encoding.ASCII.GetBytes(text.ToString());
    }

    private static byte[] Decompress(byte[] compressed, CompressionKind kind)
    {
        using var stream = Decompression.Open(new MemoryStream(compressed), kind);
        var output = new MemoryStream();
        stream.CopyTo(output, 7777); // odd buffer size: exercises partial reads across block boundaries
        return output.ToArray();
    }

    [Theory]
    [InlineData("data.tar.gz", "gzip", nameof(CompressionKind.Gzip))]
    [InlineData("data.tar.xz", "xz", nameof(CompressionKind.Xz))]
    [InlineData("data.tar.zst", "zstd", nameof(CompressionKind.Zstd))]
    [InlineData("data.tar.bz2", "bzip2", nameof(CompressionKind.Bzip2))]
    public void Decodes_what_the_reference_tool_encodes(string memberName, string tool, string kindName)
    {
        var kind = Enum.Parse<CompressionKind>(kindName);
        Assert.Equal(kind, Decompression.KindFromName(memberName));
        byte[] compressed = Sh.RunBytes(tool, ["-c"], Sample);
        Assert.Equal(Sample, Decompress(compressed, kind));
        // Concatenated streams decode as one, like `tool -dc` does.
        Assert.Equal([.. Sample, .. Sample], Decompress([.. compressed, .. compressed], kind));
    }

    [Fact]
    public void Uncompressed_names_are_none()
    {
        Assert.Equal(CompressionKind.None, Decompression.KindFromName("control.tar"));
        Assert.Equal(Sample, Decompress(Sample, CompressionKind.None));
    }

    /// <summary>
    /// Repository indices are written by xz -T in several blocks (bookworm main's Packages.xz has 2), which liblzma
    /// decodes on several threads: the bytes must be exactly the single-threaded ones, concatenated streams too.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void A_multi_block_xz_decodes_to_the_same_bytes_on_any_number_of_threads(int threads)
    {
        byte[] compressed = Sh.RunBytes("xz", ["-c", "-T2", "--block-size=100KiB"], Sample);
        var file = Path.Combine(Path.GetTempPath(), $"multi-block-{Guid.NewGuid():N}.xz");
        File.WriteAllBytes(file, compressed);
        try
        {
            // xz --robot --list: "totals <streams> <blocks> ..."; more than one block, or this tests nothing.
            var totals = Sh.Run("xz", "--robot", "--list", file).Split('\n').Single(l => l.StartsWith("totals", StringComparison.Ordinal));
            Assert.True(int.Parse(totals.Split('\t')[2], System.Globalization.CultureInfo.InvariantCulture) > 1, totals);
        }
        finally
        {
            File.Delete(file);
        }
        foreach (var input in new[] { compressed, [.. compressed, .. compressed] })
        {
            using var stream = Decompression.Open(new MemoryStream(input), CompressionKind.Xz, threads: threads);
            var output = new MemoryStream();
            stream.CopyTo(output, 7777);
            Assert.Equal(input.Length == compressed.Length ? Sample : [.. Sample, .. Sample], output.ToArray());
        }
    }

    [Fact]
    public void Native_and_managed_xz_agree()
    {
        Assert.True(Decompression.UsesNativeXz, "liblzma.so.5 (Debian package liblzma5) should be present");
        byte[] compressed = Sh.RunBytes("xz", ["-c", "-9"], Sample);
        using var managed = Decompression.OpenManagedXz(new MemoryStream(compressed));
        var output = new MemoryStream();
        managed.CopyTo(output);
        Assert.Equal(Sample, output.ToArray());
        Assert.Equal(Sample, Decompress(compressed, CompressionKind.Xz));
    }

    [Fact]
    public void Corrupt_and_truncated_xz_fail()
    {
        byte[] compressed = Sh.RunBytes("xz", ["-c"], Sample);
        byte[] corrupt = (byte[])compressed.Clone();
        corrupt[corrupt.Length / 2] ^= 0x55;
        Assert.Throws<InvalidDataException>(() => Decompress(corrupt, CompressionKind.Xz));
        var e = Assert.Throws<InvalidDataException>(() => Decompress(compressed[..(compressed.Length / 2)], CompressionKind.Xz));
        Assert.Equal("xz: truncated .xz data", e.Message);
        e = Assert.Throws<InvalidDataException>(() => Decompress("not xz at all"u8.ToArray(), CompressionKind.Xz));
        Assert.Equal("xz: not in .xz format", e.Message);
    }

    [Fact]
    public void Xz_encoder_output_is_read_by_xz_and_independent_of_threads()
    {
        static byte[] Encode(int threads)
        {
            var output = new MemoryStream();
            using (var xz = new XzEncoderStream(output, threads, leaveOpen: true))
            {
                for (int i = 0; i < Sample.Length; i += 100_000) xz.Write(Sample, i, Math.Min(100_000, Sample.Length - i));
            }
            return output.ToArray();
        }
        byte[] one = Encode(1);
        Assert.Equal(one, Encode(2));
        Assert.Equal(Sample, Sh.RunBytes("xz", ["-dc"], one));
        Assert.True(one.Length < Sample.Length / 3);
    }
}
