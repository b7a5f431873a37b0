using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Oci;
using Bootstrapper.Engine.Oci;

namespace Bootstrapper.Tests.Engine.Oci;

public sealed class OciIndexWriterTests : IDisposable
{
    private readonly OciTestImages _images = new();
    public void Dispose() => _images.Dispose();

    [Fact]
    public void Two_architectures_make_one_index_with_every_blob_in_the_layout()
    {
        var amd64 = _images.Layout("amd64", "amd64");
        var arm64 = _images.Layout("arm64", "arm64");
        Assert.NotEqual(amd64.Manifest.Digest, arm64.Manifest.Digest); // the config names the architecture
        var layout = Path.Combine(_images.Work, "multi");
        var index = OciIndexWriter.Write(layout, "t",
            [(new OciPlatform("amd64"), amd64), (new OciPlatform("arm64", Variant: "v8"), arm64)]);

        var root = Assert.Single(OciLayout.ReadIndex(layout));
        Assert.Equal(index.Digest, root.Digest);
        Assert.Equal(OciMediaTypes.Index, root.MediaType);
        Assert.Equal(
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[" +
            $"{{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"{amd64.Manifest.Digest}\",\"size\":{amd64.Manifest.Size},\"platform\":{{\"architecture\":\"amd64\",\"os\":\"linux\"}}}}," +
            $"{{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"{arm64.Manifest.Digest}\",\"size\":{arm64.Manifest.Size},\"platform\":{{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"}}}}]}}",
            OciJson.Text(OciLayout.ReadBlob(layout, root)));
        // both manifests, the two configs and the one layer they share: 1 index + 2 + 2 + 1
        Assert.Equal(6, Directory.GetFiles(Path.Combine(layout, "blobs", "sha256")).Length);
        foreach (var image in new[] { amd64, arm64 }) OciLayout.ReadBlob(layout, image.Manifest);
    }

    [Fact]
    public void One_platform_twice_is_refused()
    {
        var a = _images.Layout("a");
        var e = Assert.Throws<RecipeException>(() => OciIndexWriter.Write(Path.Combine(_images.Work, "m"), "t",
            [(new OciPlatform("amd64"), a), (new OciPlatform("amd64"), a)]));
        Assert.Equal("two images for the same platform linux/amd64; an index holds one per platform", e.Message);
    }

    [Theory]
    [InlineData("debian", "amd64", "linux/amd64")]
    [InlineData("debian", "arm64", "linux/arm64/v8")]
    [InlineData("debian", "armhf", "linux/arm/v7")]
    [InlineData("alpine", "armhf", "linux/arm/v6")]
    [InlineData("alpine", "x86_64", "linux/amd64")]
    [InlineData("debian", "i386", "linux/386")]
    [InlineData("debian", "ppc64el", "linux/ppc64le")]
    public void Distribution_architectures_map_to_oci_platforms(string family, string architecture, string platform) =>
        Assert.Equal(platform, OciPlatform.FromDistroArchitecture(family, architecture).ToString());
}
