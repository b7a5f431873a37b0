using Bootstrapper.Core.Images.Manifest;
using Bootstrapper.Core.Images.Sbom;
using Bootstrapper.Engine.Os.Files;

namespace Bootstrapper.Engine.Output;

/// <summary>
/// The files written beside every image: IMAGE.manifest.json, IMAGE.spdx.json (SPDX 2.3) and IMAGE.cdx.json
/// (CycloneDX 1.6), the SBOMs as <see cref="SbomFormat"/> chooses. Each is written
/// atomically (temporary name, then rename), after the image; if either cannot be written, the image and whatever
/// was written beside it are removed, because an image without its manifest and SBOM is half-written.
/// </summary>
internal static class ImageSidecars
{
    public static string ManifestPath(string image) => image + ".manifest.json";
    public static string SbomPath(string image) => image + ".spdx.json";
    public static string CycloneDxPath(string image) => image + ".cdx.json";

    /// <param name="distribution">The purl vendor ("debian", "ubuntu", "alpine").</param>
    /// <param name="now">SBOM creation time when the manifest has no SOURCE_DATE_EPOCH.</param>
    /// <param name="formats">Which SBOMs to write (both by default).</param>
    public static void Write(string image, ImageManifest manifest, string distribution, DateTimeOffset now,
        SbomFormat formats = SbomFormat.Both)
    {
        // A format not asked for is removed, so an earlier build's SBOM cannot sit beside a new image.
        var paths = new[] { image, ManifestPath(image), SbomPath(image), CycloneDxPath(image) };
        try
        {
            AtomicFile.Write(ManifestPath(image), manifest.ToJson());
            if (formats.HasFlag(SbomFormat.Spdx)) AtomicFile.Write(SbomPath(image), SpdxDocument.Write(manifest, distribution, now));
            else File.Delete(SbomPath(image));
            if (formats.HasFlag(SbomFormat.CycloneDx))
                AtomicFile.Write(CycloneDxPath(image), CycloneDxDocument.Write(manifest, distribution, now));
            else File.Delete(CycloneDxPath(image));
        }
        catch
        {
            if (Directory.Exists(image)) Directory.Delete(image, recursive: true); // an .oci layout
            foreach (var path in paths) File.Delete(path);
            throw;
        }
    }
}

/// <summary>--sbom: which SBOM formats are written beside the image.</summary>
[Flags]
internal enum SbomFormat
{
    None = 0,
    Spdx = 1,
    CycloneDx = 2,
    Both = Spdx | CycloneDx,
}
