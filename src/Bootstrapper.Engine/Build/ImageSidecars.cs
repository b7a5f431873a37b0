using Bootstrapper.Core.Images;

namespace Bootstrapper.Engine.Build;

/// <summary>
/// The files written beside every image: IMAGE.manifest.json and IMAGE.spdx.json (SPDX 2.3). Each is written
/// atomically (temporary name, then rename), after the image; if either cannot be written, the image and whatever
/// was written beside it are removed, because an image without its manifest and SBOM is half-written.
/// </summary>
public static class ImageSidecars
{
    public static string ManifestPath(string image) => image + ".manifest.json";
    public static string SbomPath(string image) => image + ".spdx.json";

    /// <param name="distribution">The purl vendor ("debian", "ubuntu", "alpine").</param>
    /// <param name="now">SBOM creation time when the manifest has no SOURCE_DATE_EPOCH.</param>
    public static void Write(string image, ImageManifest manifest, string distribution, DateTimeOffset now)
    {
        try
        {
            ImageBuilder.WriteAtomically(ManifestPath(image), manifest.ToJson());
            ImageBuilder.WriteAtomically(SbomPath(image), SpdxDocument.Write(manifest, distribution, now));
        }
        catch
        {
            if (Directory.Exists(image)) Directory.Delete(image, recursive: true); // an .oci layout
            foreach (var path in new[] { image, ManifestPath(image), SbomPath(image) }) File.Delete(path);
            throw;
        }
    }
}
