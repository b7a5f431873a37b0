using Bootstrapper.Core.Alpine.Index;
using Bootstrapper.Core.Alpine.Package;
using Bootstrapper.Core.Errors;
using Bootstrapper.Tests.Fixtures.Alpine;

namespace Bootstrapper.Tests.Core.Alpine.Index;

public class ApkIndexTests
{
    private static readonly FixtureSigner Signer = new();

    private static ApkPackageInfo[] Packages() =>
    [
        ApkFixtures.BuildApk(new FixturePackage { Name = "musl", Version = "1.2.5-r10", Provides = "so:libc.musl-x86_64.so.1=1" }, Signer).Info,
        ApkFixtures.BuildApk(new FixturePackage { Name = "busybox", Version = "1.37.0-r19", Depends = "so:libc.musl-x86_64.so.1", Provides = "cmd:sh=1.37.0-r19" }, Signer).Info,
    ];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Verifies_and_parses_sha1_and_sha256_signatures(bool sha256)
    {
        var file = ApkFixtures.BuildIndex(Packages(), Signer, sha256);
        var index = ApkIndex.Verify(file, Signer.Keyring(), "http://127.0.0.1/main/x86_64/APKINDEX.tar.gz", 1, "http://127.0.0.1/main/x86_64");

        Assert.Equal(Signer.Name, index.SignedBy);
        Assert.Equal("v3.23-fixture", index.Description);
        Assert.Equal(["musl", "busybox"], index.Packages.Select(p => p.Name));
        var bb = index.Packages[1];
        Assert.Equal("1.37.0-r19", bb.Version);
        Assert.Equal("so:libc.musl-x86_64.so.1", Assert.Single(bb.Depends).Name);
        Assert.Equal("cmd:sh", Assert.Single(bb.Provides).Name);
        Assert.Equal(1, bb.RepositoryOrder);
        Assert.Equal("http://127.0.0.1/main/x86_64", bb.RepositoryUrl);
        Assert.StartsWith("Q1", bb.Checksum);
    }

    [Fact]
    public void Unknown_key_is_named_with_advice()
    {
        var other = new FixtureSigner("someone-else-1234.rsa.pub");
        var file = ApkFixtures.BuildIndex(Packages(), other);
        var e = Assert.Throws<VerificationException>(() => ApkIndex.Verify(file, Signer.Keyring(), "repo/APKINDEX.tar.gz"));
        Assert.Equal("repo/APKINDEX.tar.gz: signed by unknown key 'someone-else-1234.rsa.pub'. If you trust it, add " +
                     "that .rsa.pub file (same file name) to the recipe's keyrings.", e.Message);
    }

    [Fact]
    public void Same_name_different_key_is_bad_signature()
    {
        var impostor = new FixtureSigner(Signer.Name);
        var file = ApkFixtures.BuildIndex(Packages(), impostor);
        var e = Assert.Throws<VerificationException>(() => ApkIndex.Verify(file, Signer.Keyring(), "idx"));
        Assert.Contains("BAD signature", e.Message);
    }

    [Fact]
    public void Every_flipped_byte_is_detected()
    {
        var file = ApkFixtures.BuildIndex(Packages(), Signer);
        var members = GzipMembers.Split(file, "idx");
        // One byte in the middle of each member's deflate data, and one in each trailer (CRC).
        foreach (var m in members)
            foreach (var pos in new[] { m.Offset + m.Length / 2, m.End - 6 })
            {
                var bad = (byte[])file.Clone();
                bad[pos] ^= 0x01;
                Assert.ThrowsAny<BootstrapException>(() => ApkIndex.Verify(bad, Signer.Keyring(), "idx"));
            }
    }

    [Fact]
    public void Adb_v3_index_is_refused_clearly()
    {
        var file = "ADBd"u8.ToArray().Concat(new byte[100]).ToArray();
        var e = Assert.Throws<VerificationException>(() => ApkIndex.Verify(file, Signer.Keyring(), "Packages.adb"));
        Assert.Contains("apk v3 (ADB)", e.Message);
    }

    [Fact]
    public void Truncated_index_is_rejected()
    {
        var file = ApkFixtures.BuildIndex(Packages(), Signer);
        var e = Assert.Throws<VerificationException>(() => ApkIndex.Verify(file[..^30], Signer.Keyring(), "idx"));
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Malformed_dependency_in_index_is_a_verification_error()
    {
        var e = Assert.Throws<VerificationException>(() => ApkIndex.Parse("C:Q1AAAA\nP:x\nV:1\nD:foo>=\n", "APKINDEX"));
        Assert.Equal("APKINDEX (x): malformed dependency 'foo>=' (operator without a version); expected [!]name[op version].", e.Message);
    }

    [Fact]
    public void Parses_real_index_stanza()
    {
        // Field letters as apk index writes them (stanza shaped like Alpine's busybox entry).
        var text = "C:Q1rS5Ck0OiEQl3XyJXfhRx0OZm0Ys=\nP:busybox\nV:1.37.0-r19\nA:x86_64\nS:518461\nI:818364\n" +
                   "T:Size optimized toolbox\nU:https://busybox.net/\nL:GPL-2.0-only\no:busybox\nm:Maintainer <m@example.invalid>\n" +
                   "t:1700000000\nc:0123abcd\nD:so:libc.musl-x86_64.so.1\np:cmd:busybox=1.37.0-r19 cmd:sh=1.37.0-r19\n\n" +
                   "C:Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=\nP:sh-alt\nV:1\nk:100\np:/bin/sh\ni:busybox !foo\n";
        var p = ApkIndex.Parse(text, "APKINDEX");
        Assert.Equal(2, p.Count);
        Assert.Equal(518461, p[0].Size);
        Assert.Equal(1700000000, p[0].BuildTime);
        Assert.Equal(["cmd:busybox", "cmd:sh"], p[0].Provides.Select(x => x.Name));
        Assert.Equal(100, p[1].ProviderPriority);
        Assert.True(p[1].InstallIf[1].IsConflict);
    }
}
