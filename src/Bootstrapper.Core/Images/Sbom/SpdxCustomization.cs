using System.Globalization;
using System.Text.Json;
using Bootstrapper.Core.Images.Manifest;

namespace Bootstrapper.Core.Images.Sbom;

/// <summary>
/// The SBOM's part for what the recipe added beyond packages: each added regular file as an SPDX file (SHA-1, as
/// SPDX 2.3 requires, and SHA-256) that the image CONTAINS, and each [[run]] step as a document annotation.
/// </summary>
internal static class SpdxCustomization
{
    /// <returns>The SPDX ids of the files written.</returns>
    public static List<string> WriteFiles(Utf8JsonWriter w, ImageManifest manifest)
    {
        var ids = new List<string>();
        var files = (manifest.Files ?? []).Where(f => f.Type == "file" && f.Sha256 is not null).ToList();
        if (files.Count == 0) return ids;
        w.WriteStartArray("files");
        foreach (var (f, n) in files.Select((f, n) => (f, n + 1)))
        {
            var id = "SPDXRef-File-" + n.ToString(CultureInfo.InvariantCulture);
            ids.Add(id);
            w.WriteStartObject();
            w.WriteString("SPDXID", id);
            w.WriteString("fileName", "." + f.Path);
            w.WriteStartArray("checksums");
            if (f.Sha1 is not null) Checksum(w, "SHA1", f.Sha1);
            Checksum(w, "SHA256", f.Sha256!);
            w.WriteEndArray();
            w.WriteString("licenseConcluded", SpdxLicense.NoAssertion);
            w.WriteString("copyrightText", SpdxLicense.NoAssertion);
            w.WriteString("comment", $"Added by the recipe ({f.Origin}), mode {f.Mode}, owner {f.Owner}.");
            w.WriteEndObject();
        }
        w.WriteEndArray();
        return ids;
    }

    public static void WriteRunSteps(Utf8JsonWriter w, ImageManifest manifest, string created)
    {
        if (manifest.RunSteps is not { Count: > 0 } steps) return;
        w.WriteStartArray("annotations");
        foreach (var step in steps)
        {
            w.WriteStartObject();
            w.WriteString("annotationDate", created);
            w.WriteString("annotationType", "OTHER");
            w.WriteString("annotator", "Tool: bootstrap");
            w.WriteString("comment", $"run step {step.Name} ({step.Stage}): {step.Command} [network {(step.Network ? "on" : "off")}]");
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void Checksum(Utf8JsonWriter w, string algorithm, string value)
    {
        w.WriteStartObject();
        w.WriteString("algorithm", algorithm);
        w.WriteString("checksumValue", value.ToLowerInvariant());
        w.WriteEndObject();
    }
}
