using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Oci;
using Bootstrapper.Engine.Oci;
using Bootstrapper.Engine.Oci.Registry;
using Bootstrapper.Tests.Fixtures;

namespace Bootstrapper.Tests.Engine.Oci.Registry;

/// <summary>`bootstrap push` against <see cref="FakeRegistry"/>: the bearer-token flow, chunks, resume, the SBOM referrer.</summary>
public sealed class PushTests : IDisposable
{
    private const int Chunk = 4096;
    private readonly OciTestImages _images = new();
    private readonly FakeRegistry _registry = new();
    private readonly RangeRestoringHandler _handler = new();

    public void Dispose()
    {
        _registry.Dispose();
        _handler.Dispose();
        _images.Dispose();
    }

    private readonly List<long> _resumedAt = [];

    private async Task<PushResult> PushAsync(OciImage image, string? sbom = null, RegistryAuthFile.Credentials? credentials = null)
    {
        var reference = ImageReference.Parse($"{_registry.Host}/base/t:1");
        using var client = new RegistryClient(reference, new RegistryOptions
        {
            TlsVerify = false,
            Credentials = credentials ?? new(FakeRegistry.User, FakeRegistry.Password),
            CredentialFilesSearched = ["/home/u/.docker/config.json"],
            ChunkBytes = Chunk,
            FirstRetryDelay = TimeSpan.Zero,
            Handler = _handler,
        })
        { RestartedOrResumed = _resumedAt.Add };
        return await new ImagePusher(client, _ => { }).PushAsync(image.Layout, reference, sbom, CancellationToken.None);
    }

    private static OciDescriptor Layer(OciImage image) =>
        OciDescriptor.Read(OciJson.Parse(OciLayout.ReadBlob(image.Layout, image.Manifest), "m")["layers"]![0]!, "m");

    [Fact]
    public async Task Bearer_token_flow_uploads_in_chunks_and_tags_the_manifest()
    {
        var image = _images.Layout("a");
        var result = await PushAsync(image);

        Assert.Equal(image.Manifest.Digest, result.Digest);
        Assert.Equal((2, 0), (result.BlobsUploaded, result.BlobsSkipped));
        Assert.Equal(["repository:base/t:pull,push"], _registry.TokenScopes);
        Assert.Equal(OciLayout.ReadBlob(image.Layout, image.Manifest), _registry.Manifests["1"].Body);
        Assert.True(_registry.HasBlob(Layer(image).Digest));
        Assert.Equal((int)Math.Ceiling(Layer(image).Size / (double)Chunk),
            _registry.Requests.Count(r => r.StartsWith("PATCH")) - 1); // the config is one chunk
        // a second push finds every blob (HEAD) and uploads nothing
        var again = await PushAsync(image);
        Assert.Equal((0, 2), (again.BlobsUploaded, again.BlobsSkipped));
    }

    [Fact]
    public async Task A_chunk_that_breaks_midway_is_resumed_where_the_registry_stands()
    {
        var image = _images.Layout("a");
        _registry.BreakPatchNumber = 3; // the config is PATCH 1, then the layer's first and second chunks
        var result = await PushAsync(image);

        Assert.Equal(image.Manifest.Digest, result.Digest);
        Assert.True(_registry.HasBlob(Layer(image).Digest));
        var config = OciDescriptor.Read(OciJson.Parse(OciLayout.ReadBlob(image.Layout, image.Manifest), "m")["config"]!, "m");
        // everything once, plus the half chunk the registry had not kept: resumed, not restarted
        Assert.Equal(config.Size + Layer(image).Size + Chunk / 2, _registry.BytesReceived);
        Assert.Single(_registry.Requests, r => r.StartsWith("GET /v2/base/t/blobs/uploads/"));
        Assert.Equal([Chunk + Chunk / 2L], _resumedAt);
    }

    [Fact]
    public async Task The_sbom_is_attached_with_the_fallback_tag_when_the_registry_has_no_referrers_api()
    {
        var image = _images.Layout("a");
        var sbom = Path.Combine(_images.Work, "t.spdx.json");
        File.WriteAllText(sbom, "{\"spdxVersion\":\"SPDX-2.3\"}");
        var result = await PushAsync(image, sbom);

        Assert.False(result.SbomViaReferrersApi);
        var artifact = OciJson.Parse(_registry.Manifests[result.SbomDigest!].Body, "artifact");
        Assert.Equal(OciMediaTypes.Spdx, (string?)artifact["artifactType"]);
        Assert.Equal(image.Manifest.Digest, (string?)artifact["subject"]!["digest"]);
        Assert.Equal(OciMediaTypes.Empty, (string?)artifact["config"]!["mediaType"]);
        var referrers = OciJson.Parse(_registry.Manifests["sha256-" + image.Manifest.Digest[7..]].Body, "referrers");
        Assert.Equal(result.SbomDigest, (string?)referrers["manifests"]![0]!["digest"]);
        Assert.Equal(OciMediaTypes.Spdx, (string?)referrers["manifests"]![0]!["artifactType"]);
        // pushing again does not list it twice
        await PushAsync(image, sbom);
        Assert.Single(OciJson.Parse(_registry.Manifests["sha256-" + image.Manifest.Digest[7..]].Body, "r")["manifests"]!.AsArray());
    }

    [Fact]
    public async Task A_registry_with_the_referrers_api_needs_no_fallback_tag()
    {
        _registry.ReferrersApi = true;
        var image = _images.Layout("a");
        var sbom = Path.Combine(_images.Work, "t.spdx.json");
        File.WriteAllText(sbom, "{}");
        var result = await PushAsync(image, sbom);
        Assert.True(result.SbomViaReferrersApi);
        Assert.False(_registry.Manifests.ContainsKey("sha256-" + image.Manifest.Digest[7..]));
    }

    [Fact]
    public async Task Wrong_credentials_are_named()
    {
        var e = await Assert.ThrowsAsync<FetchException>(() => PushAsync(_images.Layout("a"), credentials: new("alice", "wrong")));
        Assert.Equal($"{_registry.Host} refused the credentials for {_registry.Host}/base/t (user 'alice'); check the auth file or log in again", e.Message);
        Assert.Equal(ExitCodes.FetchFailed, e.ExitCode);
    }

    [Fact]
    public async Task Missing_credentials_say_where_they_were_looked_for()
    {
        var reference = ImageReference.Parse($"{_registry.Host}/base/t:1");
        using var client = new RegistryClient(reference, new RegistryOptions { TlsVerify = false, CredentialFilesSearched = ["/a.json", "/b.json"], Handler = _handler });
        var e = await Assert.ThrowsAsync<FetchException>(() => new ImagePusher(client, _ => { })
            .PushAsync(_images.Layout("a").Layout, reference, null, CancellationToken.None));
        Assert.Equal($"{_registry.Host} asks for credentials and none were found for {_registry.Host}/base/t in /a.json, /b.json; " +
                     "log in with `podman login` or pass --authfile FILE", e.Message);
    }
}
