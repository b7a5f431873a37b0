using System.Text.Json;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Images.Manifest;

namespace Bootstrapper.Core.Images.Sbom;

/// <summary>
/// An SPDX 2.3 JSON software bill of materials for an image, from its manifest: one package for the image, one per
/// installed package (with its purl, file SHA-256 and declared licence), the image DESCRIBED by the document and
/// CONTAINING the packages. The same manifest always gives the same bytes: creation time comes from the manifest's
/// SOURCE_DATE_EPOCH when the build had one, and the namespace from the image's SHA-256.
/// </summary>
internal static class SpdxDocument
{
    public const string SpdxVersion = "SPDX-2.3";
    public const string DocumentId = "SPDXRef-DOCUMENT";
    public const string ImageId = "SPDXRef-Image";
    public const string OsId = "SPDXRef-OperatingSystem";

    /// <summary>Namespaces must be unique URIs but need not resolve: ".invalid" (RFC 2606) can never be a real host.</summary>
    public const string NamespaceBase = "https://spdx.bootstrapper.invalid/";

    /// <param name="manifest">The image's manifest (family "debian" or "alpine").</param>
    /// <param name="distribution">The purl vendor: "debian", "ubuntu" (family debian) or "alpine".</param>
    /// <param name="now">Creation time used only when the manifest has no SOURCE_DATE_EPOCH.</param>
    /// <exception cref="RecipeException">Unknown family, or a distribution name that cannot be a purl namespace.</exception>
    public static string Write(ImageManifest manifest, string distribution, DateTimeOffset now)
    {
        SbomInputs.Check(manifest, distribution);
        var ids = new SpdxIds();
        var licenseRefs = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var packages = SbomInputs.Ordered(manifest)
            .Select(p => (Id: ids.For(p.Name, p.Architecture), Package: p, License: License(p, licenseRefs)))
            .ToList();

        return JsonOutput.Document(w =>
        {
            w.WriteStartObject();
            w.WriteString("spdxVersion", SpdxVersion);
            w.WriteString("dataLicense", "CC0-1.0");
            w.WriteString("SPDXID", DocumentId);
            w.WriteString("name", manifest.Recipe);
            w.WriteString("documentNamespace",
                NamespaceBase + PackageUrl.Encode(manifest.Recipe) + "/" + PackageUrl.Encode(manifest.Image.Sha256.ToLowerInvariant()));
            var created = SbomInputs.Created(manifest, now);
            w.WriteStartObject("creationInfo");
            w.WriteString("created", created);
            w.WriteStartArray("creators");
            w.WriteStringValue("Tool: bootstrap");
            w.WriteEndArray();
            w.WriteEndObject();

            w.WriteStartArray("packages");
            WriteImage(w, manifest);
            if (manifest.Os is { } os) WriteOs(w, os);
            foreach (var (id, p, license) in packages)
                WritePackage(w, id, p, license, PackageUrl.For(manifest, distribution, p));
            w.WriteEndArray();

            if (licenseRefs.Count > 0)
            {
                // Every LicenseRef used must be defined in the document, with the text it stands for.
                w.WriteStartArray("hasExtractedLicensingInfos");
                foreach (var (id, text) in licenseRefs)
                {
                    w.WriteStartObject();
                    w.WriteString("licenseId", id);
                    w.WriteString("extractedText", text);
                    w.WriteString("name", id[SpdxLicense.RefPrefix.Length..]);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }

            var files = SpdxCustomization.WriteFiles(w, manifest);
            SpdxCustomization.WriteRunSteps(w, manifest, created);

            w.WriteStartArray("relationships");
            Relationship(w, DocumentId, "DESCRIBES", ImageId);
            if (manifest.Os is not null) Relationship(w, ImageId, "CONTAINS", OsId);
            foreach (var (id, _, _) in packages) Relationship(w, ImageId, "CONTAINS", id);
            foreach (var id in files) Relationship(w, ImageId, "CONTAINS", id);
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static void WriteImage(Utf8JsonWriter w, ImageManifest manifest)
    {
        w.WriteStartObject();
        w.WriteString("SPDXID", ImageId);
        w.WriteString("name", manifest.Image.Name);
        w.WriteString("packageFileName", manifest.Image.Name);
        w.WriteString("supplier", SpdxLicense.NoAssertion);
        w.WriteString("downloadLocation", SpdxLicense.NoAssertion);
        w.WriteBoolean("filesAnalyzed", false);
        Checksum(w, manifest.Image.Sha256);
        w.WriteString("primaryPackagePurpose", "CONTAINER");
        w.WriteString("licenseConcluded", SpdxLicense.NoAssertion);
        w.WriteString("licenseDeclared", SpdxLicense.NoAssertion);
        w.WriteString("copyrightText", SpdxLicense.NoAssertion);
        w.WriteString("comment",
            $"Root file system image built by bootstrap from recipe '{manifest.Recipe}' ({manifest.Family}, " +
            $"{manifest.Architecture}).");
        w.WriteEndObject();
    }

    /// <summary>The operating system as its own element: scanners pick the advisory feed (debian 12) from it.</summary>
    private static void WriteOs(Utf8JsonWriter w, OsRelease os)
    {
        w.WriteStartObject();
        w.WriteString("SPDXID", OsId);
        w.WriteString("name", os.Id);
        if ((os.VersionId ?? os.VersionCodename) is { } version) w.WriteString("versionInfo", version);
        w.WriteString("supplier", SpdxLicense.NoAssertion);
        w.WriteString("downloadLocation", SpdxLicense.NoAssertion);
        w.WriteBoolean("filesAnalyzed", false);
        w.WriteString("primaryPackagePurpose", "OPERATING_SYSTEM"); // the JSON schema's spelling
        w.WriteString("licenseConcluded", SpdxLicense.NoAssertion);
        w.WriteString("licenseDeclared", SpdxLicense.NoAssertion);
        w.WriteString("copyrightText", SpdxLicense.NoAssertion);
        if (os.PrettyName is { Length: > 0 } pretty) w.WriteString("description", pretty);
        w.WriteEndObject();
    }

    private static void WritePackage(Utf8JsonWriter w, string id, ManifestPackage p, string license, string purl)
    {
        w.WriteStartObject();
        w.WriteString("SPDXID", id);
        w.WriteString("name", p.Name);
        w.WriteString("versionInfo", p.Version);
        if (p.Filename is not null) w.WriteString("packageFileName", p.Filename[(p.Filename.LastIndexOf('/') + 1)..]);
        w.WriteString("supplier", SpdxLicense.NoAssertion);
        w.WriteString("downloadLocation", p.Repository is not null && p.Filename is not null
            ? p.Repository.TrimEnd('/') + "/" + p.Filename.TrimStart('/')
            : SpdxLicense.NoAssertion);
        w.WriteBoolean("filesAnalyzed", false);
        if (p.Sha256 is not null) Checksum(w, p.Sha256);
        if (p.Source is not null && p.Source != p.Name)
            w.WriteString("sourceInfo", $"built from source package {p.Source}");
        w.WriteString("licenseConcluded", SpdxLicense.NoAssertion);
        w.WriteString("licenseDeclared", license);
        w.WriteString("copyrightText", SpdxLicense.NoAssertion);
        w.WriteStartArray("externalRefs");
        w.WriteStartObject();
        w.WriteString("referenceCategory", "PACKAGE-MANAGER");
        w.WriteString("referenceType", "purl");
        w.WriteString("referenceLocator", purl);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>The declared licence as a valid expression, recording the text behind every LicenseRef it uses.</summary>
    private static string License(ManifestPackage p, IDictionary<string, string> licenseRefs)
    {
        var license = SpdxLicense.Sanitize(p.License);
        var sanitized = p.License is not null && !SpdxLicense.TryNormalize(p.License, out _);
        foreach (var reference in SpdxLicense.LicenseRefs(license))
        {
            if (licenseRefs.ContainsKey(reference)) continue;
            licenseRefs[reference] = reference == SpdxLicense.RefPrefix + "public-domain"
                ? "The package declares its contents to be in the public domain (Debian \"public-domain\")."
                : sanitized
                    ? $"Licence declared by package {p.Name} as \"{p.License}\", which is not an SPDX licence expression."
                    : $"Licence declared by package {p.Name} as {reference}; the text is in the package's copyright file.";
        }
        return license;
    }

    private static void Checksum(Utf8JsonWriter w, string sha256)
    {
        w.WriteStartArray("checksums");
        w.WriteStartObject();
        w.WriteString("algorithm", "SHA256");
        w.WriteString("checksumValue", sha256.ToLowerInvariant());
        w.WriteEndObject();
        w.WriteEndArray();
    }

    internal static void Relationship(Utf8JsonWriter w, string from, string type, string to)
    {
        w.WriteStartObject();
        w.WriteString("spdxElementId", from);
        w.WriteString("relationshipType", type);
        w.WriteString("relatedSpdxElement", to);
        w.WriteEndObject();
    }

    /// <summary>
    /// SPDXRef ids: "SPDXRef-" then letters, digits, '.' and '-' only (SPDX 2.3 §7.2), so "libstdc++6" needs
    /// mapping; a numeric suffix keeps two packages that map to the same id apart.
    /// </summary>
    private sealed class SpdxIds
    {
        private readonly HashSet<string> _used = new(StringComparer.Ordinal) { DocumentId, ImageId, OsId };

        public string For(string name, string architecture)
        {
            var id = "SPDXRef-Package-" + SpdxLicense.ToIdString(name.Replace("+", "plus")) + "-" +
                     SpdxLicense.ToIdString(architecture);
            var unique = id;
            for (var n = 2; !_used.Add(unique); n++) unique = id + "-" + n;
            return unique;
        }
    }
}
