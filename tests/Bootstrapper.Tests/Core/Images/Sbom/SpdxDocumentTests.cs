using System.Text.Json;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Images.Manifest;
using Bootstrapper.Core.Images.Sbom;

namespace Bootstrapper.Tests.Core.Images.Sbom;

public class SpdxDocumentTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 18, 30, 5, TimeSpan.Zero);
    private static readonly string ImageSha = "c0ffee" + new string('0', 58);

    private static ManifestPackage Pkg(string name, string version, string? license, string arch = "amd64",
        string? source = null) => new()
        {
            Name = name,
            Version = version,
            Architecture = arch,
            Size = 1234,
            Sha256 = new string('A', 64),
            Filename = $"pool/main/{name[0]}/{name}/{name}_{version}_{arch}.deb",
            License = license,
            Source = source,
        };

    internal static ImageManifest Manifest(string family = "debian", long? epoch = 1_700_000_000,
        params ManifestPackage[] packages) => new()
        {
            Recipe = "debian-bookworm",
            Family = family,
            Architecture = "amd64",
            SourceDateEpoch = epoch,
            Image = new ImageFile("debian-bookworm.tar", 121_800_000, ImageSha),
            Packages = packages.Length > 0 ? packages :
        [
            Pkg("zlib1g", "1:1.2.13.dfsg-1", "Zlib", source: "zlib"),
            Pkg("libstdc++6", "12.2.0-14", "GPL-3.0-or-later WITH GCC-exception-3.1", source: "gcc-12"),
            Pkg("libstdc--6", "1.0", null),
            Pkg("perl-base", "5.36.0-7+deb12u1", "GPL-1.0-or-later or Artistic-1.0-Perl"),
            Pkg("tzdata", "2025b-0+deb12u1", "LicenseRef-public-domain", "all"),
            Pkg("bzip2", "1.0.8-5+b1", "BSD variant (see copyright)"),     // not an expression
            Pkg("base-files", "12.4+deb12u5", null) with { Repository = "http://127.0.0.1:8080/debian/" },
        ],
        };

    private static JsonElement Root(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static JsonElement Package(JsonElement root, string name) =>
        root.GetProperty("packages").EnumerateArray().Single(p => p.GetProperty("name").GetString() == name);

    [Fact]
    public void Output_is_valid_against_the_official_spdx_2_3_schema_and_the_spec_rules()
    {
        var json = SpdxDocument.Write(Manifest(), "debian", Now);
        Assert.Empty(SpdxSchema.Violations(json));
        Assert.Empty(SpdxSchema.SpecProblems(json));
    }

    [Fact]
    public void The_schema_check_catches_a_broken_document()
    {
        // Proves the validator really evaluates draft-07: a package without SPDXID and a bad enum must fail.
        var json = SpdxDocument.Write(Manifest(), "debian", Now)
            .Replace("\"SPDXID\": \"SPDXRef-Image\",", "")
            .Replace("\"PACKAGE-MANAGER\"", "\"PACKAGE_MANAGER_TYPO\"");
        var violations = SpdxSchema.Violations(json);
        Assert.Contains(violations, v => v.StartsWith("/packages/0: required", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("referenceCategory") && v.Contains("enum"));
    }

    [Fact]
    public void Document_header_is_reproducible_from_source_date_epoch()
    {
        var json = SpdxDocument.Write(Manifest(), "debian", Now);
        var root = Root(json);
        Assert.Equal("SPDX-2.3", root.GetProperty("spdxVersion").GetString());
        Assert.Equal("CC0-1.0", root.GetProperty("dataLicense").GetString());
        Assert.Equal("SPDXRef-DOCUMENT", root.GetProperty("SPDXID").GetString());
        Assert.Equal("https://spdx.bootstrapper.invalid/debian-bookworm/" + ImageSha,
            root.GetProperty("documentNamespace").GetString());
        Assert.Equal("2023-11-14T22:13:20Z", root.GetProperty("creationInfo").GetProperty("created").GetString());
        Assert.Equal("Tool: bootstrap", root.GetProperty("creationInfo").GetProperty("creators")[0].GetString());
        // A different wall clock does not change a byte.
        Assert.Equal(json, SpdxDocument.Write(Manifest(), "debian", Now.AddDays(3)));
    }

    [Fact]
    public void Without_source_date_epoch_the_given_time_is_used()
    {
        var root = Root(SpdxDocument.Write(Manifest(epoch: null), "debian", Now));
        Assert.Equal("2026-11-26T18:30:05Z", root.GetProperty("creationInfo").GetProperty("created").GetString());
    }

    [Fact]
    public void Image_package_describes_the_tar_and_contains_every_package()
    {
        var root = Root(SpdxDocument.Write(Manifest(), "debian", Now));
        var image = Package(root, "debian-bookworm.tar");
        Assert.Equal("SPDXRef-Image", image.GetProperty("SPDXID").GetString());
        Assert.Equal(ImageSha, image.GetProperty("checksums")[0].GetProperty("checksumValue").GetString());
        Assert.Equal("CONTAINER", image.GetProperty("primaryPackagePurpose").GetString());
        var relationships = root.GetProperty("relationships").EnumerateArray()
            .Select(r => (r.GetProperty("spdxElementId").GetString(), r.GetProperty("relationshipType").GetString(),
                r.GetProperty("relatedSpdxElement").GetString()))
            .ToList();
        Assert.Equal(("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Image"), relationships[0]);
        Assert.Equal(7, relationships.Count(r => r is ("SPDXRef-Image", "CONTAINS", _)));
        Assert.Equal(8, root.GetProperty("packages").GetArrayLength());
    }

    [Fact]
    public void Packages_carry_purl_checksum_and_fixed_fields()
    {
        var root = Root(SpdxDocument.Write(Manifest(), "debian", Now));
        var zlib = Package(root, "zlib1g");
        Assert.Equal("SPDXRef-Package-zlib1g-amd64", zlib.GetProperty("SPDXID").GetString());
        Assert.Equal("1:1.2.13.dfsg-1", zlib.GetProperty("versionInfo").GetString());
        Assert.Equal("NOASSERTION", zlib.GetProperty("downloadLocation").GetString());
        Assert.Equal("NOASSERTION", zlib.GetProperty("supplier").GetString());
        Assert.False(zlib.GetProperty("filesAnalyzed").GetBoolean());
        Assert.Equal("SHA256", zlib.GetProperty("checksums")[0].GetProperty("algorithm").GetString());
        Assert.Equal(new string('a', 64), zlib.GetProperty("checksums")[0].GetProperty("checksumValue").GetString());
        Assert.Equal("Zlib", zlib.GetProperty("licenseDeclared").GetString());
        Assert.Equal("built from source package zlib", zlib.GetProperty("sourceInfo").GetString());
        var purl = zlib.GetProperty("externalRefs")[0];
        Assert.Equal("PACKAGE-MANAGER", purl.GetProperty("referenceCategory").GetString());
        Assert.Equal("purl", purl.GetProperty("referenceType").GetString());
        Assert.Equal("pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64", purl.GetProperty("referenceLocator").GetString());

        var stdcxx = Package(root, "libstdc++6");
        Assert.Equal("SPDXRef-Package-libstdcplusplus6-amd64", stdcxx.GetProperty("SPDXID").GetString());
        Assert.Equal("pkg:deb/debian/libstdc%2B%2B6@12.2.0-14?arch=amd64",
            stdcxx.GetProperty("externalRefs")[0].GetProperty("referenceLocator").GetString());
        Assert.Equal("GPL-3.0-or-later WITH GCC-exception-3.1", stdcxx.GetProperty("licenseDeclared").GetString());

        var baseFiles = Package(root, "base-files");
        Assert.Equal("http://127.0.0.1:8080/debian/pool/main/b/base-files/base-files_12.4+deb12u5_amd64.deb",
            baseFiles.GetProperty("downloadLocation").GetString());
        Assert.Equal("base-files_12.4+deb12u5_amd64.deb", baseFiles.GetProperty("packageFileName").GetString());
        Assert.Equal("NOASSERTION", baseFiles.GetProperty("licenseDeclared").GetString());
    }

    [Fact]
    public void Ids_that_would_collide_are_kept_apart()
    {
        var root = Root(SpdxDocument.Write(Manifest(
            packages: [Pkg("a+b", "1", null), Pkg("aplusb", "1", null), Pkg("a.b", "1", null)]), "debian", Now));
        var ids = root.GetProperty("packages").EnumerateArray().Select(p => p.GetProperty("SPDXID").GetString()).ToList();
        // Ordinal order: "a+b" < "a.b" < "aplusb"; the first to claim an id keeps it.
        Assert.Equal(["SPDXRef-Image", "SPDXRef-Package-aplusb-amd64", "SPDXRef-Package-a.b-amd64",
            "SPDXRef-Package-aplusb-amd64-2"], ids);
    }

    [Fact]
    public void Licences_are_normalised_or_turned_into_declared_license_refs()
    {
        var root = Root(SpdxDocument.Write(Manifest(), "debian", Now));
        Assert.Equal("GPL-1.0-or-later OR Artistic-1.0-Perl", Package(root, "perl-base").GetProperty("licenseDeclared").GetString());
        Assert.Equal("LicenseRef-BSD-variant-see-copyright", Package(root, "bzip2").GetProperty("licenseDeclared").GetString());
        Assert.Equal("LicenseRef-public-domain", Package(root, "tzdata").GetProperty("licenseDeclared").GetString());
        var infos = root.GetProperty("hasExtractedLicensingInfos").EnumerateArray()
            .ToDictionary(i => i.GetProperty("licenseId").GetString()!, i => i.GetProperty("extractedText").GetString()!);
        Assert.Equal(["LicenseRef-BSD-variant-see-copyright", "LicenseRef-public-domain"], infos.Keys);
        Assert.Contains("\"BSD variant (see copyright)\"", infos["LicenseRef-BSD-variant-see-copyright"]);
    }

    [Fact]
    public void Ubuntu_and_alpine_packages_get_their_purl_namespace_and_type()
    {
        var ubuntu = Root(SpdxDocument.Write(Manifest(packages: [Pkg("Dpkg", "1.21.1ubuntu2.3", null)]), "ubuntu", Now));
        Assert.Equal("pkg:deb/ubuntu/dpkg@1.21.1ubuntu2.3?arch=amd64",
            Package(ubuntu, "Dpkg").GetProperty("externalRefs")[0].GetProperty("referenceLocator").GetString());

        var alpine = SpdxDocument.Write(Manifest("alpine",
            packages: [Pkg("busybox", "1.37.0-r12", "GPL-2.0-only", "x86_64") with { Sha256 = null }]), "alpine", Now);
        Assert.Empty(SpdxSchema.Violations(alpine));
        var busybox = Package(Root(alpine), "busybox");
        Assert.Equal("pkg:apk/alpine/busybox@1.37.0-r12?arch=x86_64",
            busybox.GetProperty("externalRefs")[0].GetProperty("referenceLocator").GetString());
        Assert.False(busybox.TryGetProperty("checksums", out _));
    }

    [Theory]
    [InlineData("fedora", "debian", "family 'fedora' has no package URL type")]
    [InlineData("debian", "Debian", "distribution 'Debian' must be a lower-case name")]
    [InlineData("debian", "deb/ian", "distribution 'deb/ian' must be a lower-case name")]
    public void Rejects_unknown_family_or_bad_distribution(string family, string distribution, string message)
    {
        var e = Assert.Throws<RecipeException>(() => SpdxDocument.Write(Manifest(family), distribution, Now));
        Assert.Contains(message, e.Message);
    }
}
