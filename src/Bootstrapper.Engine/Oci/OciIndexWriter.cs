using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Oci;

namespace Bootstrapper.Engine.Oci;

/// <summary>
/// Several images, one per platform, as one multi-architecture image: their blobs gathered into one layout, an image
/// index listing each manifest with its platform, and index.json naming that index. `bootstrap push` of the layout
/// pushes every image and then the index under the tag.
/// </summary>
internal static class OciIndexWriter
{
    /// <param name="images">One (platform, image) pair per architecture; each image is in a layout of its own.</param>
    /// <param name="refName">The name index.json gives the index (the recipe's name).</param>
    public static OciDescriptor Write(string layout, string refName, IReadOnlyList<(OciPlatform Platform, OciImage Image)> images,
        IReadOnlyDictionary<string, string>? annotations = null)
    {
        if (images.Count == 0) throw new ArgumentException("an index needs at least one image", nameof(images));
        var duplicate = images.GroupBy(i => i.Platform).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new RecipeException($"two images for the same platform {duplicate.Key}; an index holds one per platform");
        var manifests = new List<OciDescriptor>();
        foreach (var (platform, image) in images)
        {
            CopyBlobs(image, layout);
            manifests.Add(new OciDescriptor(image.Manifest.MediaType, image.Manifest.Digest, image.Manifest.Size) { Platform = platform });
        }
        var index = OciLayout.WriteBlob(layout, OciImageConfig.Index(manifests, annotations), OciMediaTypes.Index);
        OciLayout.WriteIndex(layout, [OciImageWriter.Named(index, refName)]);
        return index;
    }

    /// <summary>The manifest, its config and layers; hard links when both layouts share a file system.</summary>
    private static void CopyBlobs(OciImage image, string layout)
    {
        var where = OciLayout.BlobPath(image.Layout, image.Manifest.Digest);
        var manifest = OciJson.Parse(OciLayout.ReadBlob(image.Layout, image.Manifest), where);
        var blobs = OciLayout.ReferencedBlobs(manifest, where).Prepend(image.Manifest);
        foreach (var blob in blobs)
        {
            var from = OciLayout.BlobPath(image.Layout, blob.Digest);
            var to = OciLayout.BlobPath(layout, blob.Digest);
            if (File.Exists(to)) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(from, to);
        }
    }
}
