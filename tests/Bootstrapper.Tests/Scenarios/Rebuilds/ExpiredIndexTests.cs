using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Locking;
using Bootstrapper.Core.Recipes;
using Bootstrapper.Engine;
using Bootstrapper.Engine.Pipeline;
using Bootstrapper.Tests.Fixtures;

namespace Bootstrapper.Tests.Scenarios.Rebuilds;

/// <summary>
/// Indices past their Valid-Until: refused by default (exit 3, the message names the way out), accepted with a
/// warning by --no-check-valid-until, a recipe's check_valid_until = false, --offline and --locked; a signature
/// is required either way.
/// </summary>
public sealed class ExpiredIndexTests : IDisposable
{
    private readonly RebuildWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    private static SignedDebianRepository Expired()
    {
        var repo = RebuildWorkspace.Repository();
        repo.Date = DateTimeOffset.UtcNow.AddDays(-20);
        repo.ValidUntil = DateTimeOffset.UtcNow.AddDays(-13);
        return repo;
    }

    private Task<(int Code, string Stdout, string Stderr)> PlanAsync(string mirror, params string[] extra) =>
        RebuildWorkspace.RunAsync(["plan", _ws.RecipePath, "--mirror", mirror, "--keyring", _ws.FixtureKeyring,
            "--cache", _ws.Cache(), .. extra]);

    /// <summary>Through the engine, to see the warnings; returns the only one.</summary>
    private async Task<string> AcceptedAsync(string mirror, BuildOptions? options = null, string cache = "cache", bool fetch = false)
    {
        var reporter = new RecordingReporter();
        options = (options ?? new BuildOptions()) with
        {
            MirrorOverride = mirror,
            ExtraKeyrings = [_ws.FixtureKeyring],
            CacheDirectory = _ws.Cache(cache),
            Environment = new Dictionary<string, string>(),
        };
        var recipe = RecipeLoader.Load(_ws.RecipePath);
        if (fetch) Assert.Equal(2, (await ImageBuilder.FetchAsync(recipe, options, null, reporter, default)).Files.Count);
        else Assert.Equal(2, (await ImageBuilder.PlanAsync(recipe, options, reporter, default)).Packages.Count);
        return Assert.Single(reporter.Lines);
    }

    private static string Expiry(string baseUrl, SignedDebianRepository repo) =>
        $"{baseUrl}/dists/bookworm/InRelease: expired: Valid-Until {repo.ValidUntil:yyyy-MM-dd HH:mm:ss} UTC has passed (now ";

    [Fact]
    public async Task An_expired_index_fails_with_exit_3_naming_both_ways_to_accept_it()
    {
        var repo = Expired();
        using var server = new RepositoryServer(repo);
        var (code, _, stderr) = await PlanAsync(server.BaseUrl);
        Assert.Equal(ExitCodes.VerificationFailed, code);
        Assert.Contains($"{server.BaseUrl}/dists/bookworm/InRelease: expired: Valid-Until {repo.ValidUntil:yyyy-MM-dd HH:mm:ss} UTC has passed", stderr);
        Assert.Contains("pass --no-check-valid-until or set check_valid_until = false on this source in the recipe", stderr);
    }

    [Fact]
    public async Task No_check_valid_until_accepts_it_with_a_warning()
    {
        var repo = Expired();
        using var server = new RepositoryServer(repo);
        var (code, stdout, stderr) = await PlanAsync(server.BaseUrl, "--no-check-valid-until");
        Assert.True(code == 0, stderr);
        Assert.Contains("base-files", stdout);
        var warning = await AcceptedAsync(server.BaseUrl, new BuildOptions { NoCheckValidUntil = true });
        Assert.StartsWith(Expiry(server.BaseUrl, repo), warning);
        Assert.EndsWith("UTC); accepted because of --no-check-valid-until (the signature was verified)", warning);
    }

    [Fact]
    public async Task The_recipe_accepts_it_per_source()
    {
        var repo = Expired();
        using var server = new RepositoryServer(repo);
        File.WriteAllText(_ws.RecipePath, File.ReadAllText(_ws.RecipePath).Replace(
            "components = [\"main\"]", "components = [\"main\"]\ncheck_valid_until = false"));
        var (code, _, stderr) = await PlanAsync(server.BaseUrl);
        Assert.True(code == 0, stderr);
        Assert.EndsWith("accepted because of check_valid_until = false (suite bookworm) (the signature was verified)",
            await AcceptedAsync(server.BaseUrl));
    }

    [Fact]
    public async Task Accepting_expiry_still_requires_the_signature()
    {
        var repo = Expired();
        repo.Signers.Clear();
        repo.Signers.Add(TestKey.Generate("Stranger <stranger@fixture.invalid>"));
        using var server = new RepositoryServer(repo);
        var (code, _, stderr) = await PlanAsync(server.BaseUrl, "--no-check-valid-until");
        Assert.Equal(ExitCodes.VerificationFailed, code);
        Assert.DoesNotContain("accepted because", stderr);
    }

    [Fact]
    public async Task A_bundle_older_than_its_valid_until_still_builds_offline()
    {
        // Signed with a Valid-Until a few seconds ahead: fresh when bundled, expired when used.
        var repo = RebuildWorkspace.Repository();
        repo.ValidUntil = DateTimeOffset.UtcNow.AddSeconds(3);
        var bundle = Path.Combine(_ws.Root, "bundle");
        using (var server = new RepositoryServer(repo))
        {
            var fetched = await RebuildWorkspace.RunAsync(["fetch", _ws.RecipePath, "--mirror", server.BaseUrl,
                "--keyring", _ws.FixtureKeyring, "--cache", _ws.Cache(), "--bundle", bundle]);
            Assert.True(fetched.Code == 0, fetched.Stderr);
        }
        var wait = repo.ValidUntil.Value - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1);
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
        var mirror = new Uri(bundle).AbsoluteUri;

        // Reading the bundle as an ordinary mirror applies the rule...
        var online = await RebuildWorkspace.RunAsync(["fetch", _ws.RecipePath, "--mirror", mirror,
            "--keyring", _ws.FixtureKeyring, "--cache", _ws.Cache("other")]);
        Assert.Equal(ExitCodes.VerificationFailed, online.Code);
        Assert.Contains("expired: Valid-Until", online.Stderr);

        // ...offline, the bundle pins the content: accepted, with a warning.
        var offline = await RebuildWorkspace.RunAsync(["fetch", _ws.RecipePath, "--mirror", mirror,
            "--keyring", _ws.FixtureKeyring, "--cache", _ws.Cache("empty"), "--offline"]);
        Assert.True(offline.Code == 0, offline.Stderr);
        Assert.Contains("2 packages", offline.Stdout);
        Assert.EndsWith("accepted because of --offline (the cache or bundle pins the content) (the signature was verified)",
            await AcceptedAsync(mirror, new BuildOptions { Offline = true }, "empty2", fetch: true));
    }

    [Fact]
    public async Task A_locked_plan_accepts_an_expired_index()
    {
        var repo = RebuildWorkspace.Repository();
        using (var fresh = new RepositoryServer(repo))
            Assert.Equal(0, (await RebuildWorkspace.RunAsync(["lock", _ws.RecipePath, "--mirror", fresh.BaseUrl,
                "--keyring", _ws.FixtureKeyring, "--cache", _ws.Cache()])).Code);
        var expired = Expired();
        using var server = new RepositoryServer(expired);
        var (code, _, stderr) = await RebuildWorkspace.RunAsync(["fetch", _ws.RecipePath, "--locked", "--mirror", server.BaseUrl,
            "--keyring", _ws.FixtureKeyring, "--cache", _ws.Cache()]);
        Assert.True(code == 0, stderr);
        var lockFile = LockFile.FromJson(File.ReadAllText(_ws.LockPath), _ws.LockPath);
        Assert.EndsWith("accepted because of --locked (the lock's hashes pin every package) (the signature was verified)",
            await AcceptedAsync(server.BaseUrl, new BuildOptions { Locked = lockFile, LockedPath = _ws.LockPath }, fetch: true));
    }

    [Fact]
    public async Task A_host_mirror_whose_release_expired_is_named_rather_than_no_mirror_at_all()
    {
        var repo = Expired();
        using var server = new RepositoryServer(repo);
        var host = Path.Combine(_ws.Root, "host");
        Directory.CreateDirectory(Path.Combine(host, "etc/apt"));
        File.WriteAllText(Path.Combine(host, "etc/apt/sources.list"), $"deb {server.BaseUrl} bookworm main\n");
        var options = new BuildOptions
        {
            HostRoot = host,
            ExtraKeyrings = [_ws.FixtureKeyring],
            CacheDirectory = _ws.Cache(),
            Environment = new Dictionary<string, string>(),
        };
        var e = await Assert.ThrowsAsync<VerificationException>(() =>
            ImageBuilder.PlanAsync(RecipeLoader.Load(_ws.RecipePath), options, new RecordingReporter(), default));
        Assert.StartsWith(Expiry(server.BaseUrl, repo), e.Message);
        Assert.EndsWith("pass --no-check-valid-until or set check_valid_until = false on this source in the recipe", e.Message);

        var accepted = await ImageBuilder.PlanAsync(RecipeLoader.Load(_ws.RecipePath), options with { NoCheckValidUntil = true },
            new RecordingReporter(), default);
        Assert.Equal(server.BaseUrl, accepted.Packages[0].RepositoryUrl);
    }
}
