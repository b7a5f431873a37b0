using Bootstrapper.Core.Debian.Control;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Tests.Core.Debian.Control;

public class ReleaseFileTests
{
    private const string Sample = """
        Origin: Debian
        Label: Debian-Security
        Suite: oldstable-security
        Codename: bookworm-security
        Date: Wed, 25 Nov 2026 02:22:30 UTC
        Valid-Until: Wed, 02 Dec 2026 02:22:30 UTC
        Acquire-By-Hash: yes
        Architectures: amd64 arm64
        Components: updates/main updates/contrib
        MD5Sum:
         0ed6d4c8891eb86358b94bb35d9e4da4  1484322 main/binary-amd64/Packages
        SHA256:
         49a9e54c4ffc7bde7834f37042f551ce863c2630382396592602f432cdbf6f1c  2532743 main/binary-amd64/Packages
         A59B44D3150EC5621306CE98E42BCB14F95451FE82CA7E6B83D1DA7454A1EA3D   379936 main/binary-amd64/Packages.xz
        """;

    private static ReleaseFile Parse(string text = Sample) => ReleaseFile.Parse(text, "Release");

    [Fact]
    public void Parses_fields_and_sha256_entries()
    {
        var r = Parse();
        Assert.Equal(("oldstable-security", "bookworm-security", "Debian"), (r.Suite, r.Codename, r.Origin));
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 2, 22, 30, TimeSpan.Zero), r.Date);
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 2, 22, 30, TimeSpan.Zero), r.ValidUntil);
        Assert.True(r.AcquireByHash);
        Assert.Equal(["amd64", "arm64"], r.Architectures);
        Assert.Equal(2, r.Sha256.Count); // MD5Sum is ignored
        Assert.Equal(new ReleaseEntry("main/binary-amd64/Packages.xz",
            "a59b44d3150ec5621306ce98e42bcb14f95451fe82ca7e6b83d1da7454a1ea3d", 379936), r.Find("main/binary-amd64/Packages.xz"));
    }

    [Theory]
    [InlineData("Sat, 10 Jun 2023 08:50:56 UTC", "2023-06-10T08:50:56+00:00")]
    [InlineData("Sat, 1 Jun 2023 08:50:56 +0000", "2023-06-01T08:50:56+00:00")]
    [InlineData("Sat, 10 Jun 2023 10:50:56 +0200", "2023-06-10T08:50:56+00:00")]
    [InlineData("10 Jun 2023 08:50:56 GMT", "2023-06-10T08:50:56+00:00")]
    public void Parses_the_date_forms_archives_write(string text, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected), ReleaseFile.ParseDate(text, "Date", "Release"));
    }

    [Fact]
    public void Bad_date_names_field_and_file()
    {
        var e = Assert.Throws<VerificationException>(() => Parse(Sample.Replace("Wed, 25 Nov 2026 02:22:30 UTC", "yesterday")));
        Assert.Equal("Release: Date 'yesterday' is not a date like 'Sat, 10 Jun 2023 08:50:56 UTC'; the repository is broken", e.Message);
    }

    [Theory]
    [InlineData("bookworm-security")]
    [InlineData("oldstable-security")]
    public void Suite_matches_by_codename_or_suite(string requested) => Parse().CheckSuite(requested);

    [Fact]
    public void Wrong_suite_is_refused()
    {
        var e = Assert.Throws<VerificationException>(() => Parse().CheckSuite("trixie-security"));
        Assert.Equal("Release: asked for suite 'trixie-security' but the signed Release says Suite 'oldstable-security', Codename " +
                     "'bookworm-security'; the mirror serves another distribution or an old copy. Check the suite name and mirror", e.Message);
    }

    [Fact]
    public void Valid_until_is_enforced_with_the_given_clock()
    {
        var r = Parse();
        r.CheckValidity(new DateTimeOffset(2026, 12, 2, 2, 22, 29, TimeSpan.Zero));
        var e = Assert.Throws<VerificationException>(() => r.CheckValidity(new DateTimeOffset(2026, 12, 2, 2, 22, 30, TimeSpan.Zero)));
        Assert.StartsWith("Release: expired: Valid-Until 2026-12-02 02:22:30 UTC has passed (now 2026-12-02 02:22:30 UTC).", e.Message);
    }

    [Fact]
    public void Date_far_in_the_future_is_refused()
    {
        var e = Assert.Throws<VerificationException>(() => Parse().CheckValidity(new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero)));
        Assert.Contains("not valid yet: Date 2026-11-25 02:22:30 UTC is in the future", e.Message);
    }

    [Fact]
    public void Components_match_with_the_security_updates_prefix_and_missing_ones_are_named()
    {
        var r = Parse();
        r.CheckOffers(["main", "contrib"], "amd64");
        var e = Assert.Throws<RecipeException>(() => r.CheckOffers(["main", "non-free"], "amd64"));
        Assert.Equal("Release: component non-free not offered (it has: updates/main updates/contrib); fix the recipe's components", e.Message);
        var a = Assert.Throws<RecipeException>(() => r.CheckOffers(["main"], "riscv64"));
        Assert.StartsWith("Release: architecture 'riscv64' not offered (it has: amd64 arm64)", a.Message);
    }

    [Fact]
    public void Malformed_sha256_line_and_missing_sha256_are_refused()
    {
        var bad = Assert.Throws<VerificationException>(() => Parse(Sample.Replace(" 2532743 main", " big main")));
        Assert.Contains("SHA256 entry '49a9e54c4ffc7bde7834f37042f551ce863c2630382396592602f432cdbf6f1c  big main/binary-amd64/Packages' is not", bad.Message);
        var none = Assert.Throws<VerificationException>(() => Parse("Suite: x\nCodename: y\n"));
        Assert.Contains("has no SHA256 entries", none.Message);
    }
}
