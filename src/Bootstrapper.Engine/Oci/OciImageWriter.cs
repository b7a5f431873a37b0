using Bootstrapper.Core.Oci;
using Bootstrapper.Engine.Compression;
using Bootstrapper.Engine.Output;
using Bootstrapper.Engine.Streams;

namespace Bootstrapper.Engine.Oci;

/// <summary>
/// Writes a one-layer image into a layout: the layer (the same tar the plain output is, compressed as asked), the
/// config, the manifest, and index.json naming it after the recipe.
/// </summary>
internal static class OciImageWriter
{
    /// <summary>
    /// Packs a root directory as the layer: first the plain tar (the bytes a .tar output would have), then that tar
    /// through <see cref="FromTar"/>, so that pushing a build's plain tar later gives this very image, digest for digest.
    /// </summary>
    public static OciImage FromRoot(string root, string layout, OciImageSpec spec, CompressionKind compression,
        PackOptions pack, CancellationToken ct)
    {
        Directory.CreateDirectory(layout);
        var tarPath = Path.Combine(layout, $".layer.{Environment.ProcessId}.tar");
        try
        {
            // The intermediate is the plain tar whatever the recipe's compression: that names the layer's
            // (<paramref name="compression"/>), not this file's, and would contradict its name.
            var packed = ImagePacker.Pack(root, tarPath, pack with { Compression = "none" }, ct);
            using var tar = new FileStream(tarPath, FileMode.Open, FileAccess.Read, FileShare.None, 1, FileOptions.SequentialScan);
            return FromTar(tar, layout, spec, compression, ct) with { Entries = packed.Entries };
        }
        finally
        {
            File.Delete(tarPath);
        }
    }

    /// <summary>
    /// Takes an uncompressed tar stream as the layer. The compressor is fed whole blocks of a fixed size whatever the
    /// source's reads return: zlib's output depends on how its input is split, and the layer digest must not.
    /// </summary>
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
                using (var compressed = ImagePacker.OpenCompressor(hashing, compression, new PackOptions { Threads = 1 }))
                using (var tarHashing = new HashingStream(compressed))
                {
                    var block = new byte[BlockSize];
                    int n;
                    while ((n = tar.ReadAtLeast(block, block.Length, throwOnEndOfStream: false)) > 0)
                    {
                        ct.ThrowIfCancellationRequested();
                        tarHashing.Write(block, 0, n);
                    }
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

    private const int BlockSize = 1 << 20;

    private static OciImage Finish(string layout, OciImageSpec spec, OciDescriptor layer, string diffId, int entries)
    {
        var config = OciLayout.WriteBlob(layout,
            OciImageConfig.Config(spec.Image, spec.Platform, diffId, spec.Created, spec.CreatedBy), OciMediaTypes.Config);
        var manifestBytes = OciImageConfig.Manifest(config, [layer], OciImageConfig.Annotations(spec.Title, spec.Image, spec.Created));
        var manifest = OciLayout.WriteBlob(layout, manifestBytes, OciMediaTypes.Manifest) with { Platform = spec.Platform };
        OciLayout.WriteIndex(layout, [Named(manifest, spec.Title)]);
        return new OciImage(layout, manifest, diffId, entries);
    }

    /// <summary>The index.json entry: `podman load` names the image after it (localhost/NAME:latest), `umoci unpack
    /// --image DIR:NAME` and `skopeo copy oci:DIR:NAME` find it by it.</summary>
    internal static OciDescriptor Named(OciDescriptor manifest, string refName) => manifest with
    {
        Annotations = new Dictionary<string, string> { [OciMediaTypes.RefName] = refName },
    };

    private static string LayerMediaType(CompressionKind compression) => compression switch
    {
        CompressionKind.Gzip => OciMediaTypes.LayerGzip,
        CompressionKind.Zstd => OciMediaTypes.LayerZstd,
        _ => OciMediaTypes.Layer,
    };
}
