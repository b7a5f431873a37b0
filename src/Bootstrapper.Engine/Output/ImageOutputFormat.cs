using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Compression;

namespace Bootstrapper.Engine.Output;

/// <summary>What an output is: a tar for `docker import`, or an OCI image layout (archive or directory).</summary>
internal enum ImageLayout { DockerTar, OciArchive, OciDirectory }

/// <summary>
/// The one place that decides the output format from the output name (and the recipe's `output.compression`):
/// PATH.oci.tar is an OCI image-layout archive, PATH.oci an OCI image-layout directory, every other name a plain tar
/// whose ending picks its compression, which `output.compression` must agree with (<see cref="ImagePacker.KindFor"/>).
/// For OCI outputs the compression
/// is the layer's: gzip unless the recipe says zstd or none (xz is no OCI layer type).
/// </summary>
internal sealed record ImageOutputFormat(ImageLayout Layout, CompressionKind Compression)
{
    public bool IsOci => Layout != ImageLayout.DockerTar;

    public static ImageOutputFormat Choose(string path, string compression = "auto")
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(path));
        if (name.EndsWith(".oci.tar", StringComparison.Ordinal)) return new(ImageLayout.OciArchive, LayerCompression(path, compression));
        if (name.EndsWith(".oci", StringComparison.Ordinal)) return new(ImageLayout.OciDirectory, LayerCompression(path, compression));
        return new(ImageLayout.DockerTar, ImagePacker.KindFor(path, compression));
    }

    private static CompressionKind LayerCompression(string path, string compression) => compression switch
    {
        "auto" or "gzip" => CompressionKind.Gzip,
        "zstd" => CompressionKind.Zstd,
        "none" => CompressionKind.None,
        _ => throw new RecipeException(
            $"output '{path}': an OCI layer cannot be compressed with {compression}; use gzip (the default), zstd or none"),
    };
}
