using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Net.Bundles;
using Bootstrapper.Engine.Os.Native;
using Bootstrapper.Tests.Fixtures;

namespace Bootstrapper.Tests.Scenarios.Rebuilds;

/// <summary>`bootstrap fetch --bundle` writes a mirror; `--offline` uses only the cache and file:// mirrors.</summary>
public sealed class BundleAndOfflineTests : IDisposable
{
    private readonly RebuildWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    private Task<(int Code, string Stdout, string Stderr)> FetchAsync(string mirror, string cache, params string[] extra) =>
        RebuildWorkspace.RunAsync(["fetch", _ws.RecipePath, "--mirror", mirror, "--keyring", _ws.FixtureKeyring,
            "--cache", cache, .. extra]);

    [Fact]
    public async Task Bundle_is_a_signed_mirror_that_builds_offline_with_an_empty_cache()
    {
        var repo = RebuildWorkspace.Repository();
        repo.AcquireByHash = true;
        var served = repo.BuildFiles();
        var bundle = Path.Combine(_ws.Root, "bundle");
        string original;
        using (var server = new RepositoryServer(served))
        {
            original = server.BaseUrl;
            var (code, stdout, stderr) = await FetchAsync(server.BaseUrl, _ws.Cache(), "--bundle", bundle);
            Assert.True(code == 0, stderr);
            Assert.Contains($"--offline --mirror {new Uri(bundle + "/").AbsoluteUri}", stdout);
        }

        // The signed file is the original, byte for byte; the index it hashes sits at its path and its by-hash path.
        Assert.Equal(served["dists/bookworm/InRelease"], File.ReadAllBytes(Path.Combine(bundle, "dists/bookworm/InRelease")));
        var xz = served["dists/bookworm/main/binary-amd64/Packages.xz"];
        Assert.Equal(xz, File.ReadAllBytes(Path.Combine(bundle, "dists/bookworm/main/binary-amd64/Packages.xz")));
        Assert.Equal(xz, File.ReadAllBytes(Path.Combine(bundle,
            $"dists/bookworm/main/binary-amd64/by-hash/SHA256/{SignedDebianRepository.Sha256(xz)}")));
        Assert.Equal(served["pool/main/libc/libc6/libc6_2.36-9_amd64.deb"],
            File.ReadAllBytes(Path.Combine(bundle, "pool/main/libc/libc6/libc6_2.36-9_amd64.deb")));
        Assert.False(File.Exists(Path.Combine(bundle, "pool/main/h/hello/hello_2.10-3_amd64.deb"))); // not in the plan
        Assert.Equal(original, BundleMetadata.TryRead(bundle)!.OriginalMirrors["bookworm"]);

        // The server is gone: the bundle alone, with nothing cached, is enough.
        var offline = await FetchAsync(new Uri(bundle).AbsoluteUri, _ws.Cache("empty"), "--offline");
        Assert.True(offline.Code == 0, offline.Stderr);
        Assert.Contains("2 packages", offline.Stdout);
    }

    [Fact]
    public async Task A_tampered_bundle_fails_verification()
    {
        var bundle = Path.Combine(_ws.Root, "bundle");
        using (var server = new RepositoryServer(RebuildWorkspace.Repository()))
            Assert.Equal(0, (await FetchAsync(server.BaseUrl, _ws.Cache(), "--bundle", bundle)).Code);
        // Someone edits the bundle in transit: a package now claims another hash in the signed text.
        var inRelease = Path.Combine(bundle, "dists/bookworm/InRelease");
        var text = File.ReadAllText(inRelease);
        var at = text.IndexOf(" main/binary-amd64/Packages.xz", StringComparison.Ordinal) - 16 - 65;
        File.WriteAllText(inRelease, text[..at] + (text[at] == '0' ? '1' : '0') + text[(at + 1)..]);

        var (code, _, stderr) = await FetchAsync(new Uri(bundle).AbsoluteUri, _ws.Cache("empty"), "--offline");
        Assert.Equal(ExitCodes.VerificationFailed, code);
        Assert.Contains("InRelease", stderr);
    }

    [Fact]
    public async Task Offline_lists_every_package_missing_from_the_cache_in_one_error()
    {
        using var server = new RepositoryServer(RebuildWorkspace.Repository());
        Assert.Equal(0, (await FetchAsync(server.BaseUrl, _ws.Cache())).Code);
        // Drop every cached package, keep the verified indices.
        Directory.Delete(Path.Combine(_ws.Cache(), "packages"), recursive: true);
        var before = server.RequestCount("dists/bookworm/InRelease");

        var (code, _, stderr) = await FetchAsync(server.BaseUrl, _ws.Cache(), "--offline");
        Assert.Equal(ExitCodes.FetchFailed, code);
        Assert.Contains("--offline: 2 package(s) are neither in the cache", stderr);
        Assert.Contains("base-files 12.4 (amd64)", stderr);
        Assert.Contains("libc6 2.36-9 (amd64)", stderr);
        Assert.Equal(before, server.RequestCount("dists/bookworm/InRelease")); // no connection at all
    }

    [Fact]
    public async Task Offline_a_cached_deb_that_fails_its_hash_is_named_with_its_cache_path_and_deleted()
    {
        using var server = new RepositoryServer(RebuildWorkspace.Repository());
        Assert.Equal(0, (await FetchAsync(server.BaseUrl, _ws.Cache())).Code);
        var sha = SignedDebianRepository.Sha256("libc6 deb bytes"u8.ToArray());
        var cached = Path.Combine(_ws.Cache(), "packages", "sha256", sha[..2], sha + ".deb");
        File.WriteAllText(cached, "LIBC6 DEB BYTES"); // same size, other bytes
        var planted = SignedDebianRepository.Sha256("LIBC6 DEB BYTES"u8.ToArray());

        var (code, _, stderr) = await FetchAsync(server.BaseUrl, _ws.Cache(), "--offline");
        Assert.Equal(ExitCodes.VerificationFailed, code);
        Assert.Contains($"--offline: 1 package(s) in the cache ({Path.Combine(_ws.Cache(), "packages")}) failed verification " +
                        $"and were deleted:\n  libc6 2.36-9 (amd64): {cached} has SHA-256 {planted}, the signed index says {sha}\n",
            stderr);
        Assert.False(File.Exists(cached));

        var (healed, stdout, _) = await FetchAsync(server.BaseUrl, _ws.Cache(), "--bundle", Path.Combine(_ws.Root, "bundle"));
        Assert.Equal(0, healed);
        Assert.Contains("2 packages", stdout);
        Assert.Equal("libc6 deb bytes", File.ReadAllText(cached));
    }

    [Fact]
    public void The_bundle_writer_places_no_package_whose_copy_fails_its_check()
    {
        var bundle = Path.Combine(_ws.Root, "bundle");
        var source = Path.Combine(_ws.Root, "libc6.deb");
        File.WriteAllText(source, "changed since it was checked");
        var e = Assert.Throws<VerificationException>(() => BundleWriter.Write(bundle, [],
            [new BundlePackage("pool/main/l/libc6.deb", source, (copy, label) =>
                throw new VerificationException($"{label}: {File.ReadAllText(copy)}"))]));
        Assert.Equal($"{bundle}/pool/main/l/libc6.deb: changed since it was checked", e.Message);
        Assert.Empty(Directory.GetFiles(bundle, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Offline_without_a_cached_index_fails_clearly_and_opens_no_connection()
    {
        using var server = new RepositoryServer(RebuildWorkspace.Repository());
        var (code, _, stderr) = await FetchAsync(server.BaseUrl, _ws.Cache(), "--offline");
        Assert.Equal(ExitCodes.FetchFailed, code);
        Assert.Contains("offline, and no verified copy is cached", stderr);
        Assert.Equal(0, server.RequestCount("dists/bookworm/InRelease"));
    }

    [Fact]
    public async Task Offline_names_every_source_whose_index_is_not_cached()
    {
        File.AppendAllText(_ws.RecipePath, "\n[[sources]]\nsuite = \"bookworm-updates\"\ncomponents = [\"main\"]\n");
        using var server = new RepositoryServer(RebuildWorkspace.Repository());
        var (code, _, stderr) = await FetchAsync(server.BaseUrl, _ws.Cache(), "--offline");
        Assert.Equal(ExitCodes.FetchFailed, code);
        Assert.Contains("2 of 2 sources could not be fetched", stderr);
        Assert.Contains("dists/bookworm/InRelease: offline", stderr);
        Assert.Contains("dists/bookworm-updates/InRelease: offline", stderr);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Keyring_option_takes_binary_and_armoured_keys(bool armoured)
    {
        using var server = new RepositoryServer(RebuildWorkspace.Repository());
        var (code, stdout, stderr) = await RebuildWorkspace.RunAsync("plan", _ws.RecipePath, "--mirror", server.BaseUrl,
            "--keyring", armoured ? _ws.ArmouredFixtureKeyring : _ws.FixtureKeyring, "--cache", _ws.Cache());
        Assert.True(code == 0, stderr);
        Assert.Contains("libc6", stdout);
    }

    [Fact]
    public async Task Without_the_signing_key_the_repository_is_rejected()
    {
        using var server = new RepositoryServer(RebuildWorkspace.Repository());
        var (code, _, stderr) = await RebuildWorkspace.RunAsync("plan", _ws.RecipePath, "--mirror", server.BaseUrl,
            "--cache", _ws.Cache());
        Assert.Equal(ExitCodes.VerificationFailed, code);
        Assert.Contains("InRelease", stderr);
    }

    [Fact]
    public async Task A_bundle_from_a_warm_cache_keeps_the_compressed_index_once()
    {
        var repo = RebuildWorkspace.Repository();
        repo.AcquireByHash = true;
        var served = repo.BuildFiles();
        using var server = new RepositoryServer(served);
        var (code, _, stderr) = await FetchAsync(server.BaseUrl, _ws.Cache());
        Assert.True(code == 0, stderr);
        // Warm: the plan now reads the decoded Packages the cache keeps; the bundle must still carry the .xz.
        var bundle = Path.Combine(_ws.Root, "warm-bundle");
        (code, _, stderr) = await FetchAsync(server.BaseUrl, _ws.Cache(), "--bundle", bundle);
        Assert.True(code == 0, stderr);

        var dir = Path.Combine(bundle, "dists/bookworm/main/binary-amd64");
        var xz = served["dists/bookworm/main/binary-amd64/Packages.xz"];
        Assert.False(File.Exists(Path.Combine(dir, "Packages")), "the decoded index is not bundled");
        Assert.Equal(xz, File.ReadAllBytes(Path.Combine(dir, "Packages.xz")));
        var byHash = Path.Combine(dir, $"by-hash/SHA256/{SignedDebianRepository.Sha256(xz)}");
        Assert.Equal(LibC.Lstat(Path.Combine(dir, "Packages.xz")).Inode, LibC.Lstat(byHash).Inode);
    }
}
