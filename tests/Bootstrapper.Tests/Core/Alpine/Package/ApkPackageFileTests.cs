using Bootstrapper.Core.Alpine.Package;
using Bootstrapper.Core.Errors;
using Bootstrapper.Tests.Fixtures.Alpine;

namespace Bootstrapper.Tests.Core.Alpine.Package;

public class ApkPackageFileTests
{
    private static readonly FixtureSigner Signer = new();

    private static readonly FixturePackage Hello = new()
    {
        Name = "hello",
        Version = "2.12-r1",
        Files =
        [
            FixtureEntry.Dir("usr"), FixtureEntry.Dir("usr/bin"),
            FixtureEntry.File("usr/bin/hello", "#!/bin/sh\necho hi\n", 0x1ed),
            FixtureEntry.Symlink("usr/bin/hi", "hello"),
        ],
        Scripts = new Dictionary<string, string> { ["post-install"] = "#!/bin/sh\ntrue\n" },
        Triggers = "/usr/share/hello/*",
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Verifies_and_reads_all_three_sections(bool sha256)
    {
        var (file, info) = ApkFixtures.BuildApk(Hello, Signer, new ApkBuildOptions { Sha256Signature = sha256 });
        var pkg = ApkPackageFile.Verify(file, Signer.Keyring(), info, "hello.apk");

        Assert.Equal("hello", pkg.Name);
        Assert.Equal("2.12-r1", pkg.Version);
        Assert.Equal(info.Checksum, pkg.Checksum);
        Assert.Equal(Signer.Name, pkg.SignedBy);
        Assert.Equal("#!/bin/sh\ntrue\n", System.Text.Encoding.UTF8.GetString(pkg.Scripts["post-install"]));
        Assert.Equal(["/usr/share/hello/*"], pkg.Triggers);
        Assert.Equal(["usr/", "usr/bin/", "usr/bin/hello", "usr/bin/hi"], pkg.DataEntries.Select(e => e.Name));
        Assert.True(pkg.DataEntries[2].Pax.ContainsKey("APK-TOOLS.checksum.SHA1"));
    }

    [Theory]
    [InlineData(0, "signature")]
    [InlineData(1, "control")]
    [InlineData(2, "data")]
    public void Flipped_byte_in_any_member_is_rejected(int member, string _)
    {
        var (file, info) = ApkFixtures.BuildApk(Hello, Signer);
        var m = GzipMembers.Split(file, "x")[member];
        var bad = (byte[])file.Clone();
        bad[m.Offset + m.Length / 2] ^= 0x40;
        var e = Assert.ThrowsAny<VerificationException>(() => ApkPackageFile.Verify(bad, Signer.Keyring(), info, "hello.apk"));
        Assert.Contains("hello-2.12-r1 (hello.apk)", e.Message);
    }

    [Fact]
    public void Control_change_breaks_signature_even_with_valid_gzip()
    {
        // Re-sign nothing: swap in another package's (validly compressed) control member.
        var (file, info) = ApkFixtures.BuildApk(Hello, Signer);
        var (other, _) = ApkFixtures.BuildApk(Hello with { Version = "2.12-r2" }, Signer);
        var m = GzipMembers.Split(file, "a");
        var o = GzipMembers.Split(other, "b");
        var spliced = file[..m[1].Offset].Concat(other[o[1].Offset..o[1].End]).Concat(file[m[2].Offset..]).ToArray();
        var e = Assert.Throws<VerificationException>(() =>
            ApkPackageFile.Verify(spliced, Signer.Keyring(), info with { Size = spliced.Length }, "hello.apk"));
        Assert.Contains("BAD signature", e.Message);
    }

    [Fact]
    public void Data_hash_mismatch_is_rejected()
    {
        var (file, info) = ApkFixtures.BuildApk(Hello, Signer, new ApkBuildOptions { WrongDataHash = new string('0', 64) });
        var e = Assert.Throws<VerificationException>(() => ApkPackageFile.Verify(file, Signer.Keyring(), info, "hello.apk"));
        Assert.Contains("differs from .PKGINFO datahash", e.Message);
    }

    [Fact]
    public void Missing_data_hash_is_refused()
    {
        var (file, info) = ApkFixtures.BuildApk(Hello, Signer, new ApkBuildOptions { OmitDataHash = true });
        var e = Assert.Throws<VerificationException>(() => ApkPackageFile.Verify(file, Signer.Keyring(), info, "hello.apk"));
        Assert.Contains("has no datahash", e.Message);
    }

    [Fact]
    public void Index_checksum_mismatch_is_rejected()
    {
        var (file, info) = ApkFixtures.BuildApk(Hello, Signer);
        var e = Assert.Throws<VerificationException>(() =>
            ApkPackageFile.Verify(file, Signer.Keyring(), info with { Checksum = "Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=" }, "hello.apk"));
        Assert.Contains("differs from the index's C:Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=", e.Message);
    }

    [Fact]
    public void Unknown_key_is_rejected()
    {
        var (file, info) = ApkFixtures.BuildApk(Hello, Signer, new ApkBuildOptions { SignWith = new FixtureSigner("stranger.rsa.pub") });
        var e = Assert.Throws<VerificationException>(() => ApkPackageFile.Verify(file, Signer.Keyring(), info, "hello.apk"));
        Assert.Contains("unknown key 'stranger.rsa.pub'", e.Message);
    }

    [Fact]
    public void Truncated_download_is_rejected()
    {
        var (file, info) = ApkFixtures.BuildApk(Hello, Signer);
        var e = Assert.Throws<VerificationException>(() => ApkPackageFile.Verify(file[..^100], Signer.Keyring(), info, "hello.apk"));
        Assert.Contains("differs from the index's", e.Message);
        // Without an index entry (no size to compare), the gzip layer catches it.
        var e2 = Assert.Throws<VerificationException>(() => ApkPackageFile.Verify(file[..^100], Signer.Keyring(), null, "hello.apk"));
        Assert.Contains("truncated", e2.Message);
    }

    [Fact]
    public void Adb_package_is_refused()
    {
        var e = Assert.Throws<VerificationException>(() =>
            ApkPackageFile.Verify("ADB.pckg"u8.ToArray(), Signer.Keyring(), null, "v3.apk"));
        Assert.Contains("apk v3 (ADB)", e.Message);
    }
}
