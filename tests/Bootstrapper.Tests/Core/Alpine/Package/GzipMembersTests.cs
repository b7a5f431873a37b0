using System.Text;
using Bootstrapper.Core.Alpine.Package;
using Bootstrapper.Core.Errors;
using Bootstrapper.Tests.Fixtures.Alpine;

namespace Bootstrapper.Tests.Core.Alpine.Package;

public class GzipMembersTests
{
    [Fact]
    public void Finds_exact_boundaries_of_concatenated_members()
    {
        var a = ApkFixtures.Gzip(new byte[200_000]);
        var b = ApkFixtures.Gzip(Encoding.ASCII.GetBytes("hello"));
        var c = ApkFixtures.Gzip(RandomBytes(50_000));
        var all = a.Concat(b).Concat(c).ToArray();

        var m = GzipMembers.Split(all, "test");

        Assert.Equal([new GzipMember(0, a.Length), new GzipMember(a.Length, b.Length),
            new GzipMember(a.Length + b.Length, c.Length)], m);
        Assert.Equal("hello", Encoding.ASCII.GetString(GzipMembers.Decompress(all, m[1], "test")));
    }

    [Fact]
    public void Handles_header_with_file_name()
    {
        // FNAME flag set, as gzip(1) writes it: the name must be skipped before the deflate data.
        var plain = ApkFixtures.Gzip(Encoding.ASCII.GetBytes("data"));
        var named = new List<byte>(plain[..10])
        {
            [3] = 8
        };
        named.AddRange(Encoding.ASCII.GetBytes("file.txt\0"));
        named.AddRange(plain[10..]);
        var m = GzipMembers.Split(named.ToArray(), "named");
        Assert.Single(m);
        Assert.Equal(named.Count, m[0].Length);
    }

    [Fact]
    public void Truncated_stream_is_rejected()
    {
        var a = ApkFixtures.Gzip(RandomBytes(10_000));
        var e = Assert.Throws<VerificationException>(() => GzipMembers.Split(a[..^20], "pkg.apk"));
        Assert.Contains("pkg.apk", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Trailing_garbage_is_rejected()
    {
        var a = ApkFixtures.Gzip(RandomBytes(100)).Concat(new byte[] { 1, 2, 3 }).ToArray();
        var e = Assert.Throws<VerificationException>(() => GzipMembers.Split(a, "x.gz"));
        Assert.Contains("member 2", e.Message);
    }

    internal static byte[] RandomBytes(int n)
    {
        var r = new Random(n);
        var b = new byte[n];
        r.NextBytes(b);
        return b;
    }
}
