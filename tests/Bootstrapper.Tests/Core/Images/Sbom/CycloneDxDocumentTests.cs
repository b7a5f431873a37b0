using System.Text.Json;
using Bootstrapper.Core.Images.Manifest;
using Bootstrapper.Core.Images.Sbom;

namespace Bootstrapper.Tests.Core.Images.Sbom;

/// <summary>The CycloneDX 1.6 SBOM, and what the SPDX one gained for scanners: purls with distro= and the OS element.</summary>
public class CycloneDxDocumentTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 18, 30, 5, TimeSpan.Zero);
    private static readonly OsRelease Bookworm = OsRelease.Parse(
        "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n")!;
    private static readonly OsRelease Alpine = OsRelease.Parse(
        "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.23.0\nPRETTY_NAME=\"Alpine Linux v3.23\"\n")!;

    private static ImageManifest Debian() => SpdxDocumentTests.Manifest() with { Os = Bookworm };

    private static JsonElement Root(string json) => JsonDocument.Parse(json).RootElement.Clone();

    [Fact]
    public void Os_release_gives_the_distro_qualifier_scanners_expect()
    {
        Assert.Equal("debian-12", Bookworm.Distro);
        Assert.Equal("alpine-3.23", Alpine.Distro);
        Assert.Equal("debian-trixie", OsRelease.Parse("ID=debian\nVERSION_CODENAME=trixie\n")!.Distro); // testing: no VERSION_ID
        Assert.Null(OsRelease.Parse("NAME=nothing\n"));
    }

    [Fact]
    public void Output_is_valid_against_the_official_cyclonedx_1_6_schema()
    {
        Assert.Empty(CycloneDxSchema.Violations(CycloneDxDocument.Write(Debian(), "debian", Now)));
        Assert.Empty(CycloneDxSchema.Violations(CycloneDxDocument.Write(SpdxDocumentTests.Manifest(), "debian", Now)));
        var alpine = SpdxDocumentTests.Manifest("alpine") with { Os = Alpine };
        Assert.Empty(CycloneDxSchema.Violations(CycloneDxDocument.Write(alpine, "alpine", Now)));
    }

    [Fact]
    public void The_schema_check_catches_a_broken_document()
    {
        var json = CycloneDxDocument.Write(Debian(), "debian", Now);
        Assert.NotEmpty(CycloneDxSchema.Violations(json.Replace("\"type\": \"operating-system\"", "\"type\": \"distro\"")));
        Assert.NotEmpty(CycloneDxSchema.Violations(json.Replace("\"alg\": \"SHA-256\"", "\"alg\": \"sha256\"")));
    }

    [Fact]
    public void Components_carry_purls_with_distro_and_the_os_is_its_own_component()
    {
        var root = Root(CycloneDxDocument.Write(Debian(), "debian", Now));
        Assert.Equal("1.6", root.GetProperty("specVersion").GetString());
        Assert.Equal("2023-11-14T22:13:20Z", root.GetProperty("metadata").GetProperty("timestamp").GetString());
        Assert.Equal("container", root.GetProperty("metadata").GetProperty("component").GetProperty("type").GetString());
        var components = root.GetProperty("components").EnumerateArray().ToList();
        var os = components[0];
        Assert.Equal(("operating-system", "debian", "12", "Debian GNU/Linux 12 (bookworm)"),
            (os.GetProperty("type").GetString(), os.GetProperty("name").GetString(), os.GetProperty("version").GetString(),
             os.GetProperty("description").GetString()));
        var perl = components.Single(c => c.GetProperty("name").GetString() == "perl-base");
        Assert.Equal("pkg:deb/debian/perl-base@5.36.0-7%2Bdeb12u1?arch=amd64&distro=debian-12", perl.GetProperty("purl").GetString());
        Assert.Equal("GPL-1.0-or-later OR Artistic-1.0-Perl", perl.GetProperty("licenses")[0].GetProperty("expression").GetString());
        // Not an SPDX expression: no licence rather than a wrong one.
        Assert.False(components.Single(c => c.GetProperty("name").GetString() == "bzip2").TryGetProperty("licenses", out _));
        var dependsOn = root.GetProperty("dependencies")[0].GetProperty("dependsOn").EnumerateArray().Select(d => d.GetString()).ToList();
        Assert.Equal(components.Select(c => c.GetProperty("bom-ref").GetString()), dependsOn);
    }

    [Fact]
    public void The_same_manifest_gives_the_same_bytes()
    {
        var one = CycloneDxDocument.Write(Debian(), "debian", Now);
        Assert.Equal(one, CycloneDxDocument.Write(Debian(), "debian", Now.AddDays(1)));
        Assert.Matches("^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
            Root(one).GetProperty("serialNumber").GetString());
    }

    [Fact]
    public void Spdx_gains_the_operating_system_package_and_distro_in_every_purl()
    {
        var json = SpdxDocument.Write(Debian(), "debian", Now);
        Assert.Empty(SpdxSchema.Violations(json));
        Assert.Empty(SpdxSchema.SpecProblems(json));
        var root = Root(json);
        var os = root.GetProperty("packages").EnumerateArray().Single(p => p.GetProperty("SPDXID").GetString() == "SPDXRef-OperatingSystem");
        Assert.Equal(("debian", "12", "OPERATING_SYSTEM"), (os.GetProperty("name").GetString(), os.GetProperty("versionInfo").GetString(),
            os.GetProperty("primaryPackagePurpose").GetString()));
        Assert.Contains(root.GetProperty("relationships").EnumerateArray(), r =>
            r.GetProperty("relationshipType").GetString() == "CONTAINS" && r.GetProperty("relatedSpdxElement").GetString() == "SPDXRef-OperatingSystem");
        var purls = root.GetProperty("packages").EnumerateArray()
            .Where(p => p.TryGetProperty("externalRefs", out _))
            .Select(p => p.GetProperty("externalRefs")[0].GetProperty("referenceLocator").GetString()!).ToList();
        Assert.Equal(7, purls.Count);
        Assert.All(purls, p => Assert.EndsWith("&distro=debian-12", p));
        var alpine = Root(SpdxDocument.Write(SpdxDocumentTests.Manifest("alpine") with { Os = Alpine }, "alpine", Now));
        Assert.Contains("pkg:apk/alpine/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=alpine-3.23",
            alpine.GetProperty("packages").EnumerateArray().Where(p => p.TryGetProperty("externalRefs", out _))
                .Select(p => p.GetProperty("externalRefs")[0].GetProperty("referenceLocator").GetString()));
    }
}
