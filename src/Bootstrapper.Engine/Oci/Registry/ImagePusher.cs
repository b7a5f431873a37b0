using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Oci;

namespace Bootstrapper.Engine.Oci.Registry;

/// <summary>What a push did.</summary>
/// <param name="SbomViaReferrersApi">True when the registry answered the SBOM manifest with OCI-Subject (it keeps
/// the referrers itself); false when we kept the sha256-HEX tag index of the fallback scheme.</param>
internal sealed record PushResult(string Digest, int BlobsUploaded, int BlobsSkipped, string? SbomDigest, bool SbomViaReferrersApi);

/// <summary>
/// Pushes the image (or image index) a layout's index.json names: blobs the registry lacks (HEAD first), then the
/// manifests, children before the index, the root under the tag. The build's SBOM follows as an OCI 1.1 artifact
/// whose subject is the pushed manifest.
/// </summary>
internal sealed class ImagePusher(RegistryClient registry, Action<string> say)
{
    private int _uploaded, _skipped;

    public async Task<PushResult> PushAsync(string layout, ImageReference reference, string? sbomPath, CancellationToken ct)
    {
        var roots = OciLayout.ReadIndex(layout);
        if (roots.Count != 1)
            throw new RecipeException($"{layout}: the layout's index.json lists {roots.Count} images; push takes a layout with exactly one (an image or an image index)");
        await registry.PingAsync(ct).ConfigureAwait(false);
        var root = roots[0] with { Annotations = null, Platform = null };
        var digest = await PushManifestAsync(layout, root, reference.Reference, ct).ConfigureAwait(false);
        if (reference.Digest is not null && reference.Digest != digest)
            throw new VerificationException($"{reference}: the layout's image is {digest}, not the digest the reference names");
        string? sbomDigest = null;
        bool referrersApi = false;
        if (sbomPath is not null)
        {
            var scratch = Directory.CreateTempSubdirectory("bootstrap-sbom-").FullName;
            try
            {
                (sbomDigest, referrersApi) = await SbomReferrer.AttachAsync(registry, layout, root, sbomPath, scratch,
                    PushBlobAsync, ct).ConfigureAwait(false);
            }
            finally
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
        return new PushResult(digest, _uploaded, _skipped, sbomDigest, referrersApi);
    }

    private async Task<string> PushManifestAsync(string layout, OciDescriptor descriptor, string tag, CancellationToken ct)
    {
        var bytes = OciLayout.ReadBlob(layout, descriptor);
        var where = OciLayout.BlobPath(layout, descriptor.Digest);
        var json = OciJson.Parse(bytes, where);
        if (descriptor.MediaType is OciMediaTypes.Index or OciMediaTypes.DockerManifestList)
        {
            foreach (var child in json["manifests"]!.AsArray().Select(m => OciDescriptor.Read(m!, where)))
                await PushManifestAsync(layout, child, child.Digest, ct).ConfigureAwait(false);
        }
        else
        {
            foreach (var blob in OciLayout.ReferencedBlobs(json, where)) await PushBlobAsync(layout, blob, ct).ConfigureAwait(false);
        }
        var (digest, _) = await registry.PutManifestAsync(tag, descriptor.MediaType, bytes, ct).ConfigureAwait(false);
        if (digest != descriptor.Digest)
            throw new VerificationException($"the registry stored {descriptor.Digest} as {digest}; it changed the manifest");
        return digest;
    }

    private async Task PushBlobAsync(string layout, OciDescriptor blob, CancellationToken ct)
    {
        if (await registry.HasBlobAsync(blob.Digest, ct).ConfigureAwait(false))
        {
            _skipped++;
            say($"{blob.Digest[..19]}: already in the registry");
            return;
        }
        var path = OciLayout.BlobPath(layout, blob.Digest);
        if (!File.Exists(path) || new FileInfo(path).Length != blob.Size)
            throw new VerificationException($"{layout}: blob {blob.Digest} is missing or has the wrong size");
        say($"{blob.Digest[..19]}: uploading {blob.Size / 1048576.0:0.0} MiB");
        await registry.UploadBlobAsync(blob.Digest, path, blob.Size, ct).ConfigureAwait(false);
        _uploaded++;
    }
}
