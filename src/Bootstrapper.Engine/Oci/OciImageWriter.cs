using Bootstrapper.Core.Oci;
using Bootstrapper.Engine.Archives;

namespace Bootstrapper.Engine.Oci;

/// <summary>
/// Writes a one-layer image into a layout: the layer (the same tar the plain output is, compressed as asked), the
/// config, the manifest, and index.json naming it <see cref="OciLayout.DefaultRefName"/>.
/// </summary>
public static class OciImageWriter
{
    /// <summary>Packs a root directory as the layer.</summary>
    public static OciImage FromRoot(string root, string layout, OciImageSpec spec, CompressionKind compression,
        PackOptions pack, CancellationToken ct)
    {
        var blobs = Directory.CreateDirectory(Path.Combine(layout, "blobs", "sha256")).FullName;
        var temp = Path.Combine(blobs, $".layer.{Environment.ProcessId}{ImageOutputFormat.TarSuffix(compression)}");
        var packed = ImagePacker.Pack(root, temp, pack, ct);
        var layer = OciLayout.AdoptBlob(layout, temp, packed.Sha256, packed.Bytes, LayerMediaType(compression));
        return Finish(layout, spec, layer, OciDigest.FromHex(packed.TarSha256), packed.Entries);
    }

    /// <summary>Takes an uncompressed tar stream (a build's plain output, decompressed) as the layer.</summary>
    public static OciImage FromTar(Stream tar, string layout, OciImageSpec spec, CompressionKind compression, CancellationToken ct)
    {
        var blobs = Directory.CreateDirectory(Path.Combine(layout, "blobs", "sha256")).FullName;
        var temp = Path.Combine(blobs, $".layer.{Environment.ProcessId}.tmp");
        string sha256, diffHex;
        long bytes;
        try
        {
            using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            using (var hashing = new HashingStream(file))
            {
                using (var compressed = ImagePacker.OpenCompressor(hashing, compression, new PackOptions()))
                using (var tarHashing = new HashingStream(compressed))
                {
                    tar.CopyTo(tarHashing, 1 << 20);
                    ct.ThrowIfCancellationRequested();
                    diffHex = tarHashing.HexDigest();
                }
                sha256 = hashing.HexDigest();
                bytes = hashing.BytesWritten;
            }
            var layer = OciLayout.AdoptBlob(layout, temp, sha256, bytes, LayerMediaType(compression));
            return Finish(layout, spec, layer, OciDigest.FromHex(diffHex), 0);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static OciImage Finish(string layout, OciImageSpec spec, OciDescriptor layer, string diffId, int entries)
    {
        var config = OciLayout.WriteBlob(layout,
            OciImageConfig.Config(spec.Image, spec.Platform, diffId, spec.Created, spec.CreatedBy), OciMediaTypes.Config);
        var manifestBytes = OciImageConfig.Manifest(config, [layer], OciImageConfig.Annotations(spec.Title, spec.Image, spec.Created));
        var manifest = OciLayout.WriteBlob(layout, manifestBytes, OciMediaTypes.Manifest) with { Platform = spec.Platform };
        OciLayout.WriteIndex(layout, [Named(manifest)]);
        return new OciImage(layout, manifest, diffId, entries);
    }

    internal static OciDescriptor Named(OciDescriptor manifest) => manifest with
    {
        Annotations = new Dictionary<string, string> { [OciMediaTypes.RefName] = OciLayout.DefaultRefName },
    };

    private static string LayerMediaType(CompressionKind compression) => compression switch
    {
        CompressionKind.Gzip => OciMediaTypes.LayerGzip,
        CompressionKind.Zstd => OciMediaTypes.LayerZstd,
        _ => OciMediaTypes.Layer,
    };
}
