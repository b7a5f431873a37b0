using System.Text.Json.Nodes;
using Bootstrapper.Core.Oci;
using Bootstrapper.EndToEnd.Build;
using Bootstrapper.Engine.Oci;
using Bootstrapper.Engine.Oci.Registry;

namespace Bootstrapper.EndToEnd.Oci;

/// <summary>
/// The "done when": the same manifest digest from two builds, skopeo and podman read the archive, a push to
/// a real registry (plain HTTP; TLS with basic auth) that skopeo and podman pull back and run, umoci's unpacking equal
/// to the plain tar, and a push interrupted mid-upload that resumes.
/// </summary>
public sealed class OciImageTests(HelloOciFixture image) : IClassFixture<HelloOciFixture>
{
    private static readonly string[] RunFlags =
        ["--runtime", "runc", "--network=none", "--ulimit", "nofile=20000:20000", "--ulimit", "nproc=32768:32768"];

    private static string ManifestDigest(string archive) =>
        Sh.Run("skopeo", "inspect", "--format", "{{.Digest}}", "oci-archive:" + archive).Ok("skopeo inspect").Stdout.Trim();

    [Fact]
    public void Two_builds_give_one_manifest_digest_and_skopeo_shows_the_config()
    {
        var first = ManifestDigest(image.First);
        Assert.StartsWith("sha256:", first);
        Assert.Equal(first, ManifestDigest(image.Second));
        var config = JsonNode.Parse(Sh.Run("skopeo", "inspect", "--config", "oci-archive:" + image.First).Ok("skopeo").Stdout)!;
        Assert.Equal("""["/bin/sh","-c","echo hello-from-oci"]""", config["config"]!["Cmd"]!.ToJsonString());
        Assert.Equal("""["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","GREETING=hello"]""", config["config"]!["Env"]!.ToJsonString());
        Assert.Equal("platform", (string?)config["config"]!["Labels"]!["org.example.team"]);
        Assert.Equal("2023-11-14T22:13:20Z", (string?)config["created"]);
        // the layer is the plain tar, byte for byte
        Assert.Equal("sha256:" + BuiltCli.Sha256(image.Plain), (string?)config["rootfs"]!["diff_ids"]![0]);
    }

    [Fact]
    public void Podman_loads_the_archive_and_runs_it()
    {
        var loaded = Sh.Run("podman", "load", "-i", image.First).Ok("podman load").Stdout;
        try
        {
            Assert.Contains("Loaded image: localhost/hello-oci:latest", loaded);
            Assert.Equal("hello-from-oci\n", Sh.Run("podman", ["run", "--rm", .. RunFlags, "localhost/hello-oci:latest"]).Ok("podman run").Stdout);
        }
        finally
        {
            Sh.Run("podman", "rmi", "-f", "localhost/hello-oci:latest");
        }
    }

    [Fact]
    public async Task Pushed_to_a_plain_http_registry_skopeo_sees_the_digest_and_podman_pulls_and_runs_it()
    {
        using var registry = new LocalRegistry(tlsAndAuth: false);
        var reference = $"{registry.Host}/base/hello:2026-12-07";
        var digest = (await HelloOciFixture.RunAsync("push", image.First, reference, "--tls-verify=false")).Trim();
        Assert.Equal(ManifestDigest(image.First), digest);
        Assert.Equal(digest, Sh.Run("skopeo", ["inspect", .. registry.SkopeoFlags, "--format", "{{.Digest}}", "docker://" + reference]).Ok("skopeo").Stdout.Trim());
        // the plain tar, wrapped with its manifest's config, is the same image
        Assert.Equal(digest, (await HelloOciFixture.RunAsync("push", image.Plain, $"{registry.Host}/base/plain:1", "--tls-verify=false")).Trim());
        // the SBOM: the registry has no referrers API, so the sha256-HEX tag lists it
        var referrers = JsonNode.Parse(Sh.Run("skopeo", ["inspect", .. registry.SkopeoFlags, "--raw", $"docker://{registry.Host}/base/hello:sha256-{digest[7..]}"]).Ok("skopeo").Stdout)!;
        Assert.Equal(OciMediaTypes.Spdx, (string?)referrers["manifests"]![0]!["artifactType"]);

        Sh.Run("podman", "pull", "--tls-verify=false", reference).Ok("podman pull");
        try
        {
            Assert.Equal("hello-from-oci\n", Sh.Run("podman", ["run", "--rm", .. RunFlags, reference]).Ok("podman run").Stdout);
        }
        finally
        {
            Sh.Run("podman", "rmi", "-f", reference);
        }
    }

    [Fact]
    public async Task Tls_with_basic_auth_needs_the_credentials_and_a_trusted_certificate()
    {
        using var registry = new LocalRegistry(tlsAndAuth: true);
        var reference = $"{registry.Host}/base/hello:tls";

        var untrusted = await HelloOciFixture.TryRunAsync("push", image.First, reference, "--authfile", registry.AuthFile);
        Assert.Equal(5, untrusted.Code);
        Assert.StartsWith($"error: cannot reach the registry at https://{registry.Host}/v2/: ", untrusted.Stderr);
        Assert.Contains("(for a registry without TLS, or with a certificate this host does not trust: --tls-verify=false)", untrusted.Stderr);

        var empty = Path.Combine(registry.Dir, "empty.json");
        File.WriteAllText(empty, "{\"auths\": {}}");
        var anonymous = await HelloOciFixture.TryRunAsync("push", image.First, reference, "--tls-verify=false", "--authfile", empty);
        Assert.Equal(5, anonymous.Code);
        Assert.Equal($"error: {registry.Host} asks for credentials and none were found for {registry.Host}/base/hello in {empty}; " +
                     "log in with `podman login` or pass --authfile FILE\n", anonymous.Stderr);

        var digest = (await HelloOciFixture.RunAsync("push", image.First, reference, "--tls-verify=false", "--authfile", registry.AuthFile)).Trim();
        Assert.Equal(ManifestDigest(image.First), digest);
        Assert.Equal(digest, Sh.Run("skopeo", ["inspect", .. registry.SkopeoFlags, "--format", "{{.Digest}}", "docker://" + reference]).Ok("skopeo").Stdout.Trim());
        var refused = Sh.Run("skopeo", "inspect", "--tls-verify=false", "--creds", "builder:wrong", "docker://" + reference);
        Assert.NotEqual(0, refused.ExitCode);
    }

    [Fact]
    public void Umoci_unpacks_the_layout_into_the_plain_tars_tree()
    {
        var layout = Directory.CreateDirectory(Path.Combine(image.Work, "umoci-layout")).FullName;
        var bundle = Path.Combine(image.Work, "umoci-bundle");
        var plain = Directory.CreateDirectory(Path.Combine(image.Work, "plain-root")).FullName;
        try
        {
            Sh.Run("tar", "-xf", image.First, "-C", layout).Ok("tar");
            Sh.Run("umoci", "unpack", "--image", layout + ":hello-oci", bundle).Ok("umoci unpack");
            Sh.Run("tar", "--numeric-owner", "-xpf", image.Plain, "-C", plain).Ok("tar");
            var unpacked = Tree(Path.Combine(bundle, "rootfs"));
            Assert.True(unpacked.Count > 5000, $"only {unpacked.Count} entries");
            Assert.Equal(Tree(plain), unpacked);
        }
        finally
        {
            foreach (var d in new[] { layout, bundle, plain }) if (Directory.Exists(d)) Directory.Delete(d, recursive: true);
        }
    }

    /// <summary>Every entry's type, mode, owner, size, link target, mtime and (for files) SHA-256.</summary>
    private static List<string> Tree(string root) =>
        Sh.Bash($"cd '{root}' && find . -printf '%P|%y|%m|%U|%G|%s|%l|%T@|' -exec sh -c 'test -f \"$1\" -a ! -L \"$1\" && sha256sum < \"$1\" || echo' _ {{}} \\; | sort")
            .Ok("find").Stdout.Split('\n').ToList();

    [Fact]
    public async Task A_push_cut_off_mid_upload_starts_only_that_blob_again_and_completes()
    {
        // distribution 2.8 cancels an upload whose PATCH broke off (its _state offset no longer matches the bytes it
        // kept), so the blob starts over; the resume from the registry's Range is tested against a registry that
        // keeps the upload (Bootstrapper.Tests/Oci/PushTests).
        using var registry = new LocalRegistry(tlsAndAuth: false);
        const int chunk = 4 << 20;
        using var proxy = new DroppingProxy(registry.Port, cutAfter: 10 << 20);
        var reference = ImageReference.Parse($"{proxy.Host}/base/resumed:1");
        using var source = PushSource.Open(image.First, CancellationToken.None);
        using var client = new RegistryClient(reference, new RegistryOptions { TlsVerify = false, ChunkBytes = chunk, FirstRetryDelay = TimeSpan.Zero });
        var restarts = new List<long>();
        client.RestartedOrResumed = restarts.Add;
        var result = await new ImagePusher(client, _ => { }).PushAsync(source.Layout, reference, null, CancellationToken.None);

        Assert.True(proxy.HasCut);
        Assert.Equal([0L], restarts);
        Assert.Equal(ManifestDigest(image.First), result.Digest);
        var imageSize = new FileInfo(image.First).Length; // the archive is a little more than its blobs
        Assert.True(proxy.BytesToRegistry < imageSize + (10 << 20) + (64 << 10), $"{proxy.BytesToRegistry} bytes sent for a {imageSize}-byte image");
        Assert.Equal(result.Digest, Sh.Run("skopeo", "inspect", "--tls-verify=false", "--format", "{{.Digest}}", $"docker://{registry.Host}/base/resumed:1").Ok("skopeo").Stdout.Trim());
    }
}
