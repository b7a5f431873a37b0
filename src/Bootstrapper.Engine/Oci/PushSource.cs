using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Images.Manifest;
using Bootstrapper.Engine.Compression;
using Bootstrapper.Engine.Output;

namespace Bootstrapper.Engine.Oci;

/// <summary>
/// What `bootstrap push` sends, as an OCI layout: an .oci directory as it is, an .oci.tar unpacked into a temporary
/// folder, or a build's plain tar wrapped as a one-layer image with the config its IMAGE.manifest.json recorded (the
/// recipe's [image], architecture and SOURCE_DATE_EPOCH), so it gets the same config an .oci.tar build would.
/// The SBOM is the build's IMAGE.spdx.json beside the source, when there is one.
/// </summary>
internal sealed class PushSource : IDisposable
{
    private readonly string? _temporary;

    public string Layout { get; }
    public string? SbomPath { get; }

    private PushSource(string layout, string? temporary, string source)
    {
        Layout = layout;
        _temporary = temporary;
        var sbom = ImageSidecars.SbomPath(Path.TrimEndingDirectorySeparator(source));
        SbomPath = File.Exists(sbom) ? sbom : null;
    }

    public void Dispose()
    {
        if (_temporary is not null && Directory.Exists(_temporary)) Directory.Delete(_temporary, recursive: true);
    }

    public static PushSource Open(string source, CancellationToken ct)
    {
        if (Directory.Exists(source))
        {
            OciLayout.ReadIndex(source); // says clearly when the folder is no layout
            return new PushSource(source, null, source);
        }
        if (!File.Exists(source))
            throw new RecipeException($"{source}: no such file or folder; push takes an .oci.tar, an .oci folder or a build's tar");
        var temporary = Directory.CreateTempSubdirectory("bootstrap-push-").FullName;
        try
        {
            var format = ImageOutputFormat.Choose(source);
            if (format.Layout == ImageLayout.OciArchive) OciArchive.Extract(source, temporary);
            else WrapPlainTar(source, format.Compression, temporary, ct);
            return new PushSource(temporary, temporary, source);
        }
        catch
        {
            Directory.Delete(temporary, recursive: true);
            throw;
        }
    }

    private static void WrapPlainTar(string source, CompressionKind compression, string layout, CancellationToken ct)
    {
        var manifestPath = ImageSidecars.ManifestPath(source);
        if (!File.Exists(manifestPath))
            throw new RecipeException($"{source}: no manifest beside it ({manifestPath}); push a tar that bootstrap built, or an .oci.tar");
        var manifest = ImageManifest.FromJson(File.ReadAllText(manifestPath), manifestPath);
        using (var check = File.OpenRead(source))
        {
            var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(check));
            if (sha != manifest.Image.Sha256)
                throw new VerificationException($"{source}: its SHA-256 {sha} is not the {manifest.Image.Sha256} its manifest records; was it changed after the build?");
        }
        var created = manifest.SourceDateEpoch is null ? File.GetLastWriteTimeUtc(source) : default(DateTimeOffset?);
        var spec = OciImageSpec.From(manifest.Recipe, manifest.Family, manifest.Architecture, manifest.ImageConfig,
            manifest.SourceDateEpoch, created ?? DateTimeOffset.UnixEpoch);
        using var file = File.OpenRead(source);
        using var tar = Decompression.Open(file, compression);
        OciImageWriter.FromTar(tar, layout, spec, CompressionKind.Gzip, ct);
    }
}
