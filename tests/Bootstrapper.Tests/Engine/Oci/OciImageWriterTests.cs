using System.Formats.Tar;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Images.Manifest;
using Bootstrapper.Core.Oci;
using Bootstrapper.Engine.Compression;
using Bootstrapper.Engine.Oci;
using Bootstrapper.Engine.Output;

namespace Bootstrapper.Tests.Engine.Oci;

public sealed class OciImageWriterTests : IDisposable
{
    private readonly OciTestImages _images = new();
    public void Dispose() => _images.Dispose();

    [Fact]
    public void The_config_says_what_the_recipe_says_in_a_fixed_order()
    {
        var image = _images.Layout("a");
        var manifest = OciJson.Parse(OciLayout.ReadBlob(image.Layout, image.Manifest), "manifest");
        var config = OciDescriptor.Read(manifest["config"]!, "manifest");
        Assert.Equal(
            "{\"created\":\"2023-11-14T22:13:20Z\",\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"User\":\"1000:1000\"," +
            "\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"GREETING=hello\"]," +
            "\"Cmd\":[\"/bin/sh\",\"-c\",\"echo hello-from-oci\"],\"WorkingDir\":\"/srv\"," +
            "\"Labels\":{\"a.first\":\"1\",\"org.example.team\":\"platform\"}},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" +
            image.DiffId + "\"]},\"history\":[{\"created\":\"2023-11-14T22:13:20Z\",\"created_by\":\"bootstrap t\"}]}",
            OciJson.Text(OciLayout.ReadBlob(image.Layout, config)));
        Assert.Equal(
            "{\"org.opencontainers.image.created\":\"2023-11-14T22:13:20Z\",\"org.opencontainers.image.title\":\"t\"," +
            "\"org.opencontainers.image.version\":\"12\"}",
            manifest["annotations"]!.ToJsonString());
    }

    [Fact]
    public void Same_root_and_epoch_give_the_same_manifest_digest_and_the_layer_is_the_plain_tar()
    {
        var a = _images.Layout("a");
        var b = _images.Layout("b");
        Assert.Equal(a.Manifest.Digest, b.Manifest.Digest);
        var plain = ImagePacker.Pack(_images.Root, Path.Combine(_images.Work, "plain.tar"), new PackOptions { SourceDateEpoch = OciTestImages.Epoch });
        Assert.Equal("sha256:" + plain.Sha256, a.DiffId);
        // zstd is a different layer, hence a different image
        Assert.NotEqual(a.Manifest.Digest, _images.Layout("z", compression: CompressionKind.Zstd).Manifest.Digest);
    }

    /// <summary>
    /// A recipe's compression = "zstd" (or "gzip") with an OCI output names the layer's compression; the plain tar the
    /// layer is made from must not be checked against it (it was: "contradicts the output name '.layer.PID.tar'",
    /// after the whole install).
    /// </summary>
    [Theory]
    [InlineData("zstd", nameof(CompressionKind.Zstd))]
    [InlineData("gzip", nameof(CompressionKind.Gzip))]
    [InlineData("none", nameof(CompressionKind.None))]
    public void The_recipes_compression_setting_names_the_layer_not_the_intermediate_tar(string setting, string kindName)
    {
        var kind = Enum.Parse<CompressionKind>(kindName);
        var image = _images.Layout("set-" + setting, compression: kind, setting: setting);
        Assert.Equal(_images.Layout("auto-" + setting, compression: kind).Manifest.Digest, image.Manifest.Digest);
    }

    [Fact]
    public void A_pushed_plain_tar_is_the_same_image_as_the_oci_archive()
    {
        var oci = _images.Layout("a");
        var tar = Path.Combine(_images.Work, "t.tar.gz");
        var packed = ImagePacker.Pack(_images.Root, tar, new PackOptions { SourceDateEpoch = OciTestImages.Epoch });
        File.WriteAllText(tar + ".manifest.json", new ImageManifest
        {
            Recipe = "t",
            Family = "debian",
            Architecture = "amd64",
            SourceDateEpoch = OciTestImages.Epoch,
            Image = new("t.tar.gz", packed.Bytes, packed.Sha256),
            Packages = [],
            ImageConfig = OciTestImages.Settings,
        }.ToJson());
        using var source = PushSource.Open(tar, CancellationToken.None);
        Assert.Equal(oci.Manifest.Digest, OciLayout.ReadIndex(source.Layout).Single().Digest);
        Assert.Null(source.SbomPath);
    }

    [Fact]
    public void The_archive_is_deterministic_and_reads_back()
    {
        var format = ImageOutputFormat.Choose("x.oci.tar");
        var one = OciOutput.Write(_images.Root, Path.Combine(_images.Work, "1.oci.tar"), format, OciTestImages.Spec(),
            new PackOptions { SourceDateEpoch = OciTestImages.Epoch }, CancellationToken.None);
        var two = OciOutput.Write(_images.Root, Path.Combine(_images.Work, "2.oci.tar"), format, OciTestImages.Spec(),
            new PackOptions { SourceDateEpoch = OciTestImages.Epoch }, CancellationToken.None);
        Assert.Equal(one.Packed.Sha256, two.Packed.Sha256);
        Assert.Equal(one.ManifestDigest, two.ManifestDigest);
        using var source = PushSource.Open(one.Packed.Path, CancellationToken.None);
        var root = Assert.Single(OciLayout.ReadIndex(source.Layout));
        Assert.Equal(one.ManifestDigest, root.Digest);
        Assert.Equal("t", root.Annotations![OciMediaTypes.RefName]);
        Assert.Equal(["blobs/", "blobs/sha256/"], Names(one.Packed.Path).Take(2));
        Assert.Equal(["index.json", "oci-layout"], Names(one.Packed.Path).TakeLast(2));
        // nothing temporary is left beside the outputs
        Assert.Equal(["1.oci.tar", "2.oci.tar"], Directory.GetFiles(_images.Work).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void An_archive_entry_outside_the_layout_is_refused()
    {
        var evil = Path.Combine(_images.Work, "evil.oci.tar");
        using (var writer = new TarWriter(File.Create(evil)))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "oci-layout") { DataStream = new MemoryStream("{}"u8.ToArray()) });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "blobs/sha256/../../../escape") { DataStream = new MemoryStream([1]) });
        }
        var e = Assert.Throws<VerificationException>(() => PushSource.Open(evil, CancellationToken.None));
        Assert.Equal($"{evil}: 'blobs/sha256/../../../escape' does not belong in an OCI image layout", e.Message);
        Assert.False(File.Exists(Path.Combine(Path.GetTempPath(), "escape")));
    }

    [Fact]
    public void An_oci_directory_output_replaces_a_layout_but_never_another_folder()
    {
        var format = ImageOutputFormat.Choose("x.oci");
        var target = Path.Combine(_images.Work, "img.oci");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "notes.txt"), "mine");
        var e = Assert.Throws<RecipeException>(() => OciOutput.CheckTarget(target, format));
        Assert.Equal($"output '{target}' is a folder that is not an OCI image layout; choose another name or remove it", e.Message);
        File.Delete(Path.Combine(target, "notes.txt"));
        var written = OciOutput.Write(_images.Root, target, format, OciTestImages.Spec(), new PackOptions { SourceDateEpoch = OciTestImages.Epoch }, CancellationToken.None);
        var again = OciOutput.Write(_images.Root, target, format, OciTestImages.Spec(), new PackOptions { SourceDateEpoch = OciTestImages.Epoch }, CancellationToken.None);
        Assert.Equal(written.ManifestDigest, Assert.Single(OciLayout.ReadIndex(target)).Digest);
        Assert.Equal(written.ManifestDigest, again.ManifestDigest);
        Assert.Equal(["img.oci"], Directory.GetFileSystemEntries(_images.Work).Select(Path.GetFileName).Where(n => n!.Contains("img")));
    }

    [Theory]
    [InlineData("a.oci.tar", "auto", nameof(ImageLayout.OciArchive), nameof(CompressionKind.Gzip))]
    [InlineData("a.oci", "zstd", nameof(ImageLayout.OciDirectory), nameof(CompressionKind.Zstd))]
    [InlineData("a.oci", "none", nameof(ImageLayout.OciDirectory), nameof(CompressionKind.None))]
    [InlineData("a.tar", "auto", nameof(ImageLayout.DockerTar), nameof(CompressionKind.None))]
    [InlineData("a.tar.zst", "auto", nameof(ImageLayout.DockerTar), nameof(CompressionKind.Zstd))]
    public void The_output_name_chooses_the_format(string name, string compression, string layout, string kind) =>
        Assert.Equal(new ImageOutputFormat(Enum.Parse<ImageLayout>(layout), Enum.Parse<CompressionKind>(kind)),
            ImageOutputFormat.Choose("/o/" + name, compression));

    [Fact]
    public void Xz_is_no_oci_layer_compression()
    {
        var e = Assert.Throws<RecipeException>(() => ImageOutputFormat.Choose("/o/a.oci.tar", "xz"));
        Assert.Equal("output '/o/a.oci.tar': an OCI layer cannot be compressed with xz; use gzip (the default), zstd or none", e.Message);
    }

    private static List<string> Names(string archive)
    {
        using var reader = new TarReader(File.OpenRead(archive));
        var names = new List<string>();
        while (reader.GetNextEntry() is { } entry) names.Add(entry.Name);
        return names;
    }
}
