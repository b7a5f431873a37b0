using Bootstrapper.Core.Debian.Control;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.OpenPgp;
using Bootstrapper.Engine.Families.Debian.Repository;
using Bootstrapper.Engine.Net.Http;
using Bootstrapper.Engine.Net.Mirrors;
using Bootstrapper.Tests.Fixtures;

namespace Bootstrapper.Tests.Engine.Families.Debian.Repository;

public sealed class RepositoryClientTests : IDisposable
{
    private const string XzPath = "dists/bookworm/main/binary-amd64/Packages.xz";
    private readonly string _cache = Directory.CreateTempSubdirectory("repo-cache").FullName;
    private readonly Downloader _downloader = new(DownloaderOptions.FastRetries);

    public void Dispose()
    {
        _downloader.Dispose();
        Directory.Delete(_cache, recursive: true);
    }

    private static SignedDebianRepository Repo()
    {
        var repo = new SignedDebianRepository();
        repo.AddPackage("hello", "2.10-3", "fake deb bytes"u8.ToArray(), extraFields: "Priority: optional");
        repo.AddPackage("libc6", "2.36-9", "another fake deb"u8.ToArray(), extraFields: "Priority: required");
        return repo;
    }

    private DebianRepositoryClient Client(Func<DateTimeOffset>? clock = null, bool offline = false) =>
        new(_downloader, _cache, clock, offline);

    private static DebianRepositoryRequest Request(string baseUrl, OpenPgpKeyring? keyring = null, string suite = "bookworm") =>
        new(baseUrl, suite, ["main"], "amd64", keyring ?? OpenPgpKeyring.Load([("fixture.gpg", TestKey.Default.PublicKeyringBytes)]));

    private static void AssertHasPackages(DebianRepositoryIndex index)
    {
        var component = Assert.Single(index.Components);
        var names = Deb822.Parse(component.PackagesText).Select(p => p["Package"]).ToList();
        Assert.Equal(["hello", "libc6"], names);
    }

    [Fact]
    public async Task Good_InRelease_gives_verified_packages_and_index_info()
    {
        var repo = Repo();
        using var server = new RepositoryServer(repo);
        var index = await Client().FetchAsync(Request(server.BaseUrl));
        AssertHasPackages(index);
        Assert.Equal(server.BaseUrl + "/dists/bookworm/InRelease", index.Info.Url);
        Assert.Equal([TestKey.Default.SigningFingerprint], index.Info.SignedBy);
        Assert.Equal(SignedDebianRepository.FormatDate(repo.Date), index.Info.Date);
        Assert.Equal("main/binary-amd64/Packages.xz", index.Components[0].Entry.Path); // xz preferred
        Assert.Equal(0, server.RequestCount("dists/bookworm/Release"));
    }

    [Fact]
    public async Task Falls_back_to_Release_and_Release_gpg_when_InRelease_is_missing()
    {
        var repo = Repo();
        repo.WithInRelease = false;
        using var server = new RepositoryServer(repo);
        var index = await Client().FetchAsync(Request(server.BaseUrl));
        AssertHasPackages(index);
        Assert.Equal(server.BaseUrl + "/dists/bookworm/Release", index.Info.Url);
        Assert.Equal([TestKey.Default.SigningFingerprint], index.Info.SignedBy);
    }

    [Fact]
    public async Task Signed_only_by_an_unknown_key_is_refused()
    {
        var repo = Repo();
        var stranger = TestKey.Generate("Stranger <s@fixture.invalid>");
        repo.Signers.Clear();
        repo.Signers.Add(stranger);
        using var server = new RepositoryServer(repo);
        var e = await Assert.ThrowsAsync<VerificationException>(() => Client().FetchAsync(Request(server.BaseUrl)));
        Assert.Equal($"{server.BaseUrl}/dists/bookworm/InRelease: signed only by unknown key {stranger.SigningFingerprint}; " +
                     "add the right keyring to the recipe's keyrings or --keyring", e.Message);
    }

    [Fact]
    public async Task Tampered_InRelease_is_a_BAD_signature()
    {
        var repo = Repo();
        repo.TamperInRelease = t => t.Replace("Suite: stable", "Suite: stab1e");
        using var server = new RepositoryServer(repo);
        var e = await Assert.ThrowsAsync<VerificationException>(() => Client().FetchAsync(Request(server.BaseUrl)));
        Assert.StartsWith($"{server.BaseUrl}/dists/bookworm/InRelease: BAD signature by key {TestKey.Default.SigningFingerprint}", e.Message);
    }

    [Fact]
    public async Task Packages_hash_mismatch_is_refused_and_nothing_is_cached()
    {
        var repo = Repo();
        repo.TamperPackages = data => [.. data.Take(data.Length - 1), (byte)(data[^1] ^ 1)];
        using var server = new RepositoryServer(repo);
        var e = await Assert.ThrowsAsync<VerificationException>(() => Client().FetchAsync(Request(server.BaseUrl)));
        Assert.Matches($@"^{server.BaseUrl}/{XzPath}: SHA-256 mismatch: expected [0-9a-f]{{64}}, got [0-9a-f]{{64}} \(after 5 attempts\); " +
                       "the mirror serves a file that does not match the signed index", e.Message);
        Assert.DoesNotContain(Directory.GetFiles(_cache, "*", SearchOption.AllDirectories), f => f.Contains("by-sha256"));
    }

    [Fact]
    public async Task Signed_but_undecodable_index_is_refused()
    {
        var repo = Repo();
        repo.RewriteIndexBeforeSigning = (path, data) => path.EndsWith(".xz") ? "not xz at all"u8.ToArray() : data;
        using var server = new RepositoryServer(repo);
        var e = await Assert.ThrowsAsync<VerificationException>(() => Client().FetchAsync(Request(server.BaseUrl)));
        Assert.StartsWith($"{server.BaseUrl}/{XzPath}: matches the signed Release but cannot be decompressed (", e.Message);
    }

    [Fact]
    public async Task Expired_Valid_Until_is_refused()
    {
        var repo = Repo();
        repo.ValidUntil = DateTimeOffset.UtcNow.AddMinutes(-5);
        using var server = new RepositoryServer(repo);
        var e = await Assert.ThrowsAsync<VerificationException>(() => Client().FetchAsync(Request(server.BaseUrl)));
        Assert.StartsWith($"{server.BaseUrl}/dists/bookworm/InRelease: expired: Valid-Until {repo.ValidUntil:yyyy-MM-dd HH:mm:ss} UTC has passed", e.Message);
    }

    [Fact]
    public async Task Wrong_suite_is_refused()
    {
        var repo = Repo();
        repo.ReleaseSuite = "testing";
        repo.ReleaseCodename = "trixie";
        using var server = new RepositoryServer(repo);
        var e = await Assert.ThrowsAsync<VerificationException>(() => Client().FetchAsync(Request(server.BaseUrl)));
        Assert.StartsWith($"{server.BaseUrl}/dists/bookworm/InRelease: asked for suite 'bookworm' but the signed Release says " +
                          "Suite 'testing', Codename 'trixie'", e.Message);
    }

    [Fact]
    public async Task By_hash_is_used_when_offered_and_503_on_InRelease_is_retried()
    {
        var repo = Repo();
        repo.AcquireByHash = true;
        using var server = new RepositoryServer(repo);
        server.FailFirst("dists/bookworm/InRelease");
        var index = await Client().FetchAsync(Request(server.BaseUrl));
        AssertHasPackages(index);
        Assert.Contains("/main/binary-amd64/by-hash/SHA256/", index.Components[0].Url);
        Assert.Equal(0, server.RequestCount(XzPath));
        Assert.Equal(2, server.RequestCount("dists/bookworm/InRelease"));
    }

    [Fact]
    public async Task Falls_back_to_the_plain_path_when_by_hash_is_missing()
    {
        var repo = Repo();
        repo.AcquireByHash = true;
        var files = repo.BuildFiles();
        using var server = new RepositoryServer(files);
        var byHash = files.Keys.Single(k => k.Contains("/by-hash/") && files[k].SequenceEqual(files[XzPath]));
        server.Remove(byHash);
        var index = await Client().FetchAsync(Request(server.BaseUrl));
        AssertHasPackages(index);
        Assert.Equal($"{server.BaseUrl}/{XzPath}", index.Components[0].Url);
        Assert.Equal(1, server.RequestCount(byHash));
    }

    [Fact]
    public async Task Falls_back_to_gz_when_the_mirror_lacks_the_listed_xz()
    {
        using var server = new RepositoryServer(Repo());
        server.Remove(XzPath);
        var index = await Client().FetchAsync(Request(server.BaseUrl));
        AssertHasPackages(index);
        Assert.Equal("main/binary-amd64/Packages.gz", index.Components[0].Entry.Path);
    }

    [Fact]
    public async Task Cached_packages_are_reused_while_the_fresh_Release_lists_their_hash()
    {
        var repo = Repo();
        using var server = new RepositoryServer(repo);
        await Client().FetchAsync(Request(server.BaseUrl));
        var second = await Client().FetchAsync(Request(server.BaseUrl));
        Assert.True(second.Components[0].FromCache);
        Assert.Equal(1, server.RequestCount(XzPath));
        Assert.Equal(2, server.RequestCount("dists/bookworm/InRelease"));

        // A new Release with other Packages: the cached blob no longer matches, so it is fetched again.
        repo.AddPackage("zsh", "5.9-4", "zsh deb"u8.ToArray());
        foreach (var (path, data) in repo.BuildFiles()) server.Serve(path, data);
        var third = await Client().FetchAsync(Request(server.BaseUrl));
        Assert.False(third.Components[0].FromCache);
        Assert.Equal(3, Deb822.Parse(third.Components[0].PackagesText).Count);
    }

    [Fact]
    public async Task Pruning_removes_only_old_blobs_no_cached_Release_lists()
    {
        var repo = Repo();
        using var server = new RepositoryServer(repo);
        var first = await Client().FetchAsync(Request(server.BaseUrl));
        var oldBlob = Client().Cache.BlobPath(first.Components[0].Entry.Sha256, "xz");
        File.SetLastWriteTimeUtc(oldBlob, DateTime.UtcNow.AddDays(-2));
        // The decoded text is kept as the Release's uncompressed entry: superseded the same way.
        var oldDecoded = Client().Cache.BlobPath(first.Release.Find("main/binary-amd64/Packages")!.Sha256, "");
        Assert.True(File.Exists(oldDecoded));
        File.SetLastWriteTimeUtc(oldDecoded, DateTime.UtcNow.AddDays(-2));

        repo.AddPackage("zsh", "5.9-4", "zsh deb"u8.ToArray());
        foreach (var (path, data) in repo.BuildFiles()) server.Serve(path, data);
        var second = await Client().FetchAllAsync([Request(server.BaseUrl)]);
        var newBlob = Client().Cache.BlobPath(second[0].Components[0].Entry.Sha256, "xz");

        Assert.False(File.Exists(oldBlob)); // superseded and two days old
        Assert.False(File.Exists(oldDecoded));
        Assert.True(File.Exists(newBlob));
        Assert.Equal(0, Client().Cache.PruneUnreferenced(TimeSpan.Zero, DateTimeOffset.UtcNow));
    }

    [Fact]
    public async Task Offline_mode_reverifies_the_cached_Release_and_enforces_Valid_Until()
    {
        var repo = Repo();
        repo.ValidUntil = DateTimeOffset.UtcNow.AddDays(7);
        string url;
        using (var server = new RepositoryServer(repo))
        {
            url = server.BaseUrl;
            await Client().FetchAsync(Request(url));
        }
        var offline = await Client(offline: true).FetchAsync(Request(url)); // the server is gone
        AssertHasPackages(offline);
        Assert.True(offline.FromCache);

        var later = Client(() => DateTimeOffset.UtcNow.AddDays(8), offline: true);
        var e = await Assert.ThrowsAsync<VerificationException>(() => later.FetchAsync(Request(url)));
        Assert.Contains("expired: Valid-Until", e.Message);
        var stranger = OpenPgpKeyring.Load([("other.gpg", TestKey.Generate("Other <o@fixture.invalid>").PublicKeyringBytes)]);
        await Assert.ThrowsAsync<VerificationException>(() => Client(offline: true).FetchAsync(Request(url, stranger)));
    }

    [Fact]
    public async Task Offline_without_a_cached_Release_says_to_go_online_once()
    {
        var e = await Assert.ThrowsAsync<FetchException>(() => Client(offline: true).FetchAsync(Request("http://127.0.0.1:9/debian")));
        Assert.StartsWith("http://127.0.0.1:9/debian/dists/bookworm/InRelease: offline, and no verified copy is cached; run once with network access", e.Message);
    }

    [Fact]
    public async Task File_url_repository_works()
    {
        var dir = Path.Combine(_cache, "mirror");
        var url = Repo().WriteTo(dir);
        var index = await Client().FetchAsync(Request(url));
        AssertHasPackages(index);
        Assert.StartsWith("file:///", index.Info.Url);
        var offline = await new DebianRepositoryClient(_downloader, Path.Combine(_cache, "empty"), offline: true).FetchAsync(Request(url));
        AssertHasPackages(offline); // offline forbids the network, not local files
        Assert.False(offline.FromCache);
    }

    [Fact]
    public async Task Probe_tells_usable_mirrors_from_unusable_ones_and_says_why()
    {
        using var server = new RepositoryServer(Repo());
        var keyring = Request(server.BaseUrl).Keyring;
        Assert.Equal(MirrorProbe.Usable, await Client().ProbeAsync(server.BaseUrl, "bookworm", keyring));
        Assert.Equal(new MirrorProbe(MirrorFault.Missing, "HTTP 404 for dists/trixie/InRelease"),
            await Client().ProbeAsync(server.BaseUrl, "trixie", keyring));
        var unknownKey = await Client().ProbeAsync(server.BaseUrl, "bookworm", OpenPgpKeyring.Empty);
        Assert.Equal(MirrorFault.Unverified, unknownKey.Fault);
        Assert.StartsWith("signed only by unknown key ", unknownKey.Reason);
        Assert.Equal(new MirrorProbe(MirrorFault.Missing, "offline, and no verified InRelease of it is cached"),
            await Client(offline: true).ProbeAsync(server.BaseUrl, "bookworm", keyring)); // nothing cached yet
        await Client().FetchAsync(Request(server.BaseUrl));
        Assert.Equal(MirrorProbe.Usable, await Client(offline: true).ProbeAsync(server.BaseUrl, "bookworm", keyring));
    }

    [Fact]
    public async Task Probe_of_a_closed_port_says_the_connection_was_refused()
    {
        using var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop(); // nothing listens there now: the kernel answers RST
        var probe = await Client().ProbeAsync($"http://127.0.0.1:{port}/debian", "bookworm", Request("http://x.invalid").Keyring);
        Assert.Equal(new MirrorProbe(MirrorFault.Unreachable, $"request failed: Connection refused (127.0.0.1:{port})"), probe);
    }

    [Fact]
    public async Task Probe_of_an_expired_InRelease_says_expired()
    {
        var repo = Repo();
        repo.ValidUntil = DateTimeOffset.UtcNow.AddMinutes(-5);
        using var server = new RepositoryServer(repo);
        var probe = await Client().ProbeAsync(server.BaseUrl, "bookworm", Request(server.BaseUrl).Keyring);
        Assert.Equal(MirrorFault.Unverified, probe.Fault);
        Assert.StartsWith("expired: Valid-Until ", probe.Reason);
    }

    [Fact]
    public async Task A_fetch_after_a_successful_probe_reuses_its_InRelease()
    {
        using var server = new RepositoryServer(Repo());
        var request = Request(server.BaseUrl);
        var client = Client();
        Assert.Equal(MirrorProbe.Usable, await client.ProbeAsync(server.BaseUrl, "bookworm", request.Keyring));
        Assert.Equal(1, server.RequestCount("dists/bookworm/InRelease"));
        AssertHasPackages(await client.FetchAsync(request));
        Assert.Equal(1, server.RequestCount("dists/bookworm/InRelease"));
        // The probe's copy stands in once: a second fetch asks the mirror again.
        AssertHasPackages(await client.FetchAsync(request));
        Assert.Equal(2, server.RequestCount("dists/bookworm/InRelease"));
    }

    [Fact]
    public async Task A_probe_with_another_keyring_does_not_stand_in_for_the_fetch()
    {
        using var server = new RepositoryServer(Repo());
        var request = Request(server.BaseUrl);
        var client = Client();
        var sameKeysOtherInstance = OpenPgpKeyring.Load([("copy.gpg", TestKey.Default.PublicKeyringBytes)]);
        Assert.Equal(MirrorProbe.Usable, await client.ProbeAsync(server.BaseUrl, "bookworm", sameKeysOtherInstance));
        AssertHasPackages(await client.FetchAsync(request));
        Assert.Equal(2, server.RequestCount("dists/bookworm/InRelease"));
    }

    [Fact]
    public async Task Several_suites_are_fetched_together()
    {
        var main = Repo();
        var updates = Repo();
        updates.Suite = updates.ReleaseCodename = "bookworm-updates";
        var files = main.BuildFiles();
        foreach (var (path, data) in updates.BuildFiles()) files[path] = data;
        using var server = new RepositoryServer(files);
        var all = await Client().FetchAllAsync([Request(server.BaseUrl), Request(server.BaseUrl, suite: "bookworm-updates")]);
        Assert.Equal(["bookworm", "bookworm-updates"], all.Select(i => i.Info.Suite));
        Assert.All(all, AssertHasPackages);
    }

    [Fact]
    public async Task Missing_component_is_a_recipe_error()
    {
        using var server = new RepositoryServer(Repo());
        var request = Request(server.BaseUrl) with { Components = ["main", "contrib"] };
        var e = await Assert.ThrowsAsync<RecipeException>(() => Client().FetchAsync(request));
        Assert.Equal($"{server.BaseUrl}/dists/bookworm/InRelease: component contrib not offered (it has: main); fix the recipe's components", e.Message);
    }
}
