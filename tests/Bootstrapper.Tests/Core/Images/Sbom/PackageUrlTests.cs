using Bootstrapper.Core.Images.Sbom;

namespace Bootstrapper.Tests.Core.Images.Sbom;

public class PackageUrlTests
{
    // Build vectors from package-url/purl-spec tests/types/deb-test.json and apk-test.json.
    [Theory]
    [InlineData("debian", "curl", "7.50.3-1", "i386", "jessie", "pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie")]
    [InlineData("debian", "dpkg", "1.19.0.4", "amd64", "stretch", "pkg:deb/debian/dpkg@1.19.0.4?arch=amd64&distro=stretch")]
    [InlineData("ubuntu", "dpkg", "1.19.0.4", "amd64", null, "pkg:deb/ubuntu/dpkg@1.19.0.4?arch=amd64")]
    [InlineData("debian", "attr", "1:2.4.47-2", "source", null, "pkg:deb/debian/attr@1:2.4.47-2?arch=source")]
    [InlineData("debian", "attr", "1:2.4.47-2+b1", "amd64", null, "pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64")]
    public void Matches_the_purl_spec_deb_vectors(string vendor, string name, string version, string arch,
        string? distro, string expected)
    {
        // distro first: qualifiers must come out sorted whatever order they are given in.
        Assert.Equal(expected, PackageUrl.Build("deb", vendor, name, version, [("distro", distro), ("arch", arch)]));
        if (distro is null) Assert.Equal(expected, PackageUrl.Deb(vendor, name, version, arch));
    }

    [Theory]
    [InlineData("curl", "7.83.0-r0", "x86", "pkg:apk/alpine/curl@7.83.0-r0?arch=x86")]
    [InlineData("apk", "2.12.9-r3", "x86", "pkg:apk/alpine/apk@2.12.9-r3?arch=x86")]
    public void Matches_the_purl_spec_apk_vectors(string name, string version, string arch, string expected) =>
        Assert.Equal(expected, PackageUrl.Apk("alpine", name, version, arch));

    [Fact]
    public void Matches_the_purl_spec_checksum_vector() =>
        Assert.Equal("pkg:generic/openssl@1.1.10g?checksum=sha1:ad9503c3e994a4f%2Csha256:41bf9088b3a1e6c1ef1d",
            PackageUrl.Build("generic", null, "openssl", "1.1.10g",
                [("checksum", "sha1:ad9503c3e994a4f,sha256:41bf9088b3a1e6c1ef1d")]));

    [Theory]
    [InlineData("libstdc++6", "libstdc%2B%2B6")]
    [InlineData("a b/c?d#e@f&g=h%", "a%20b%2Fc%3Fd%23e%40f%26g%3Dh%25")]
    [InlineData("1.0~rc1_x:y", "1.0~rc1_x:y")]
    [InlineData("ü", "%C3%BC")]
    public void Percent_encodes_everything_but_unreserved_characters_and_colon(string input, string expected) =>
        Assert.Equal(expected, PackageUrl.Encode(input));

    [Fact]
    public void Names_are_lower_cased_versions_are_not() =>
        Assert.Equal("pkg:apk/alpine/py3-pyyaml@6.0.2-r0_RC?arch=x86_64",
            PackageUrl.Apk("Alpine", "py3-PyYAML", "6.0.2-r0_RC", "x86_64"));
}
