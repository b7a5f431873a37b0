using System.Text.Json.Nodes;
using Bootstrapper.Core.Oci;

namespace Bootstrapper.Engine.Oci.Registry;

/// <summary>
/// The SBOM as an OCI 1.1 artifact: a manifest with artifactType application/spdx+json, the empty config, the SBOM
/// as its one layer and the image as its subject. A registry with the referrers API answers OCI-Subject and lists it
/// itself; otherwise we keep the fallback tag `sha256-HEX` (the subject's digest) pointing at an index of referrers,
/// as the distribution specification 1.1 describes, adding ours to what is already there.
/// </summary>
internal static class SbomReferrer
{
    /// <param name="scratch">A temporary layout for the artifact's blobs (the source layout stays untouched).</param>
    internal static async Task<(string Digest, bool ReferrersApi)> AttachAsync(RegistryClient registry, string layout,
        OciDescriptor subject, string sbomPath, string scratch, Func<string, OciDescriptor, CancellationToken, Task> pushBlob,
        CancellationToken ct)
    {
        var sbom = await File.ReadAllBytesAsync(sbomPath, ct).ConfigureAwait(false);
        var sbomBlob = OciLayout.WriteBlob(scratch, sbom, OciMediaTypes.Spdx);
        var empty = OciLayout.WriteBlob(scratch, "{}"u8.ToArray(), OciMediaTypes.Empty);
        await pushBlob(scratch, empty, ct).ConfigureAwait(false);
        await pushBlob(scratch, sbomBlob, ct).ConfigureAwait(false);

        var subjectJson = OciJson.Parse(OciLayout.ReadBlob(layout, subject), subject.Digest);
        var annotations = subjectJson["annotations"]?[OciMediaTypes.Created] is JsonValue created
            ? new Dictionary<string, string> { [OciMediaTypes.Created] = (string)created! }
            : null;
        var manifest = OciImageConfig.Manifest(empty with { Annotations = null }, [sbomBlob], annotations, subject, OciMediaTypes.Spdx);
        var digest = OciDigest.Of(manifest);
        var (_, headers) = await registry.PutManifestAsync(digest, OciMediaTypes.Manifest, manifest, ct).ConfigureAwait(false);
        if (headers.Contains("OCI-Subject")) return (digest, true);

        var tag = "sha256-" + OciDigest.Hex(subject.Digest, "subject");
        var existing = await registry.GetManifestAsync(tag, OciMediaTypes.Index, ct).ConfigureAwait(false);
        var referrers = existing is { } e && OciJson.Parse(e.Body, tag)["manifests"] is JsonArray list
            ? list.Select(m => OciDescriptor.Read(m!, tag)).ToList()
            : [];
        if (referrers.All(r => r.Digest != digest))
        {
            referrers.Add(new OciDescriptor(OciMediaTypes.Manifest, digest, manifest.Length)
            {
                ArtifactType = OciMediaTypes.Spdx,
                Annotations = annotations,
            });
            await registry.PutManifestAsync(tag, OciMediaTypes.Index, OciImageConfig.Index(referrers), ct).ConfigureAwait(false);
        }
        return (digest, false);
    }
}
