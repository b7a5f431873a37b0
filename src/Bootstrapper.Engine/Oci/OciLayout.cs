using System.Text.Json.Nodes;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Oci;
using Bootstrapper.Engine.Os.Files;

namespace Bootstrapper.Engine.Oci;

/// <summary>
/// An OCI image-layout directory (image-layout.md): `oci-layout`, `index.json` and content-addressed `blobs/sha256/`.
/// Blobs are written under a temporary name and renamed, so a blob file always holds the bytes its name says.
/// </summary>
internal static class OciLayout
{
    public const string LayoutFile = "oci-layout";
    public const string IndexFile = "index.json";

    public static string BlobPath(string layout, string digest) =>
        Path.Combine(layout, "blobs", "sha256", OciDigest.Hex(digest, Path.Combine(layout, IndexFile)));

    public static OciDescriptor WriteBlob(string layout, byte[] bytes, string mediaType)
    {
        var digest = OciDigest.Of(bytes);
        var path = BlobPath(layout, digest);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (!File.Exists(path)) AtomicFile.Write(path, bytes);
        return new OciDescriptor(mediaType, digest, bytes.Length);
    }

    /// <summary>Moves a finished file into the layout under its digest.</summary>
    public static OciDescriptor AdoptBlob(string layout, string file, string hexSha256, long size, string mediaType)
    {
        var digest = OciDigest.FromHex(hexSha256);
        var path = BlobPath(layout, digest);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Move(file, path, overwrite: true);
        return new OciDescriptor(mediaType, digest, size);
    }

    /// <summary>Writes `oci-layout` and `index.json` (last: a layout with an index.json is complete).</summary>
    public static void WriteIndex(string layout, IEnumerable<OciDescriptor> manifests)
    {
        AtomicFile.Write(Path.Combine(layout, LayoutFile), OciJson.Write(j =>
        {
            j.WriteStartObject();
            j.WriteString("imageLayoutVersion", "1.0.0");
            j.WriteEndObject();
        }));
        AtomicFile.Write(Path.Combine(layout, IndexFile), OciImageConfig.Index(manifests));
    }

    /// <summary>The manifests that index.json lists.</summary>
    public static IReadOnlyList<OciDescriptor> ReadIndex(string layout)
    {
        var path = Path.Combine(layout, IndexFile);
        if (!File.Exists(Path.Combine(layout, LayoutFile)) || !File.Exists(path))
            throw new RecipeException($"{layout}: not an OCI image layout (no {LayoutFile} or {IndexFile})");
        var index = OciJson.Parse(File.ReadAllBytes(path), path);
        return index["manifests"] is JsonArray list ? list.Select(m => OciDescriptor.Read(m!, path)).ToList() : [];
    }

    /// <summary>A blob's bytes, checked against its digest (a layout may come from anywhere).</summary>
    public static byte[] ReadBlob(string layout, OciDescriptor descriptor)
    {
        var path = BlobPath(layout, descriptor.Digest);
        if (!File.Exists(path))
            throw new VerificationException($"{layout}: blob {descriptor.Digest} is missing");
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length != descriptor.Size || OciDigest.Of(bytes) != descriptor.Digest)
            throw new VerificationException($"{path}: the content does not match its digest {descriptor.Digest}");
        return bytes;
    }

    /// <summary>The blobs an image manifest refers to: its config, then its layers.</summary>
    public static IReadOnlyList<OciDescriptor> ReferencedBlobs(JsonObject manifest, string where) =>
        [OciDescriptor.Read(manifest["config"]!, where), .. manifest["layers"]!.AsArray().Select(l => OciDescriptor.Read(l!, where))];
}
