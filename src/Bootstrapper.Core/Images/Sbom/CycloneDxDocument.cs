using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bootstrapper.Core.Images.Manifest;

namespace Bootstrapper.Core.Images.Sbom;

/// <summary>
/// A CycloneDX 1.6 JSON SBOM for an image, from its manifest, beside the SPDX one (some scanners and registries read
/// only CycloneDX): the image as the BOM's subject (a container), the operating system and every package as
/// components (purl with distro=, SHA-256, declared licence), and the dependency of the image on all of them.
/// The same manifest gives the same bytes: the time comes from SOURCE_DATE_EPOCH, the serial number from the
/// image's SHA-256.
/// </summary>
internal static class CycloneDxDocument
{
    public const string SpecVersion = "1.6";
    private const string ImageRef = "image";
    private const string OsRef = "operating-system";

    /// <inheritdoc cref="SpdxDocument.Write"/>
    public static string Write(ImageManifest manifest, string distribution, DateTimeOffset now)
    {
        SbomInputs.Check(manifest, distribution);
        var packages = SbomInputs.Ordered(manifest)
            .Select(p => (Purl: PackageUrl.For(manifest, distribution, p), Package: p))
            .DistinctBy(x => x.Purl) // bom-ref must be unique; the same purl twice is the same package
            .ToList();

        return JsonOutput.Document(w =>
        {
            w.WriteStartObject();
            w.WriteString("$schema", "http://cyclonedx.org/schema/bom-1.6.schema.json");
            w.WriteString("bomFormat", "CycloneDX");
            w.WriteString("specVersion", SpecVersion);
            w.WriteString("serialNumber", SerialNumber(manifest.Image.Sha256));
            w.WriteNumber("version", 1);

            w.WriteStartObject("metadata");
            w.WriteString("timestamp", SbomInputs.Created(manifest, now));
            w.WriteStartObject("tools");
            w.WriteStartArray("components");
            w.WriteStartObject();
            w.WriteString("type", "application");
            w.WriteString("name", "bootstrap");
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteStartObject("component");
            w.WriteString("type", "container");
            w.WriteString("bom-ref", ImageRef);
            w.WriteString("name", manifest.Image.Name);
            w.WriteString("description", $"Root file system image built by bootstrap from recipe '{manifest.Recipe}' " +
                                         $"({manifest.Family}, {manifest.Architecture}).");
            Hashes(w, manifest.Image.Sha256);
            w.WriteEndObject();
            w.WriteEndObject();

            w.WriteStartArray("components");
            if (manifest.Os is { } os) WriteOs(w, os);
            foreach (var (purl, p) in packages) WritePackage(w, purl, p);
            w.WriteEndArray();

            w.WriteStartArray("dependencies");
            w.WriteStartObject();
            w.WriteString("ref", ImageRef);
            w.WriteStartArray("dependsOn");
            if (manifest.Os is not null) w.WriteStringValue(OsRef);
            foreach (var (purl, _) in packages) w.WriteStringValue(purl);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static void WriteOs(Utf8JsonWriter w, OsRelease os)
    {
        w.WriteStartObject();
        w.WriteString("type", "operating-system");
        w.WriteString("bom-ref", OsRef);
        w.WriteString("name", os.Id);
        if ((os.VersionId ?? os.VersionCodename) is { } version) w.WriteString("version", version);
        if (os.PrettyName is { Length: > 0 } pretty) w.WriteString("description", pretty);
        w.WriteEndObject();
    }

    private static void WritePackage(Utf8JsonWriter w, string purl, ManifestPackage p)
    {
        w.WriteStartObject();
        w.WriteString("type", "library");
        w.WriteString("bom-ref", purl);
        w.WriteString("name", p.Name);
        w.WriteString("version", p.Version);
        if (p.Sha256 is not null) Hashes(w, p.Sha256);
        // Only a valid SPDX expression: CycloneDX has no LicenseRef definitions to explain anything else.
        if (p.License is not null && SpdxLicense.TryNormalize(p.License, out var license))
        {
            w.WriteStartArray("licenses");
            w.WriteStartObject();
            w.WriteString("expression", license);
            w.WriteEndObject();
            w.WriteEndArray();
        }
        w.WriteString("purl", purl);
        if (p.Repository is not null && p.Filename is not null)
        {
            w.WriteStartArray("externalReferences");
            w.WriteStartObject();
            w.WriteString("type", "distribution");
            w.WriteString("url", p.Repository.TrimEnd('/') + "/" + p.Filename.TrimStart('/'));
            w.WriteEndObject();
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    private static void Hashes(Utf8JsonWriter w, string sha256)
    {
        w.WriteStartArray("hashes");
        w.WriteStartObject();
        w.WriteString("alg", "SHA-256");
        w.WriteString("content", sha256.ToLowerInvariant());
        w.WriteEndObject();
        w.WriteEndArray();
    }

    /// <summary>A version-5-shaped UUID from the image's SHA-256: the same image, the same serial number.</summary>
    private static string SerialNumber(string imageSha256)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes("bootstrap-cyclonedx:" + imageSha256.ToLowerInvariant()))[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        var hex = Convert.ToHexStringLower(bytes);
        return $"urn:uuid:{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }
}
