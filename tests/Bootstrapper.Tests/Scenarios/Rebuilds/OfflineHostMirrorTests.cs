using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Recipes;
using Bootstrapper.Engine;
using Bootstrapper.Engine.Pipeline;
using Bootstrapper.Tests.Fixtures;

namespace Bootstrapper.Tests.Scenarios.Rebuilds;

/// <summary>
/// --offline with no explicit mirror: the host's apt sources are still the candidates, but only their cached,
/// verified InRelease counts, so choosing a mirror opens no connection. A fake host root (etc/apt) points at the
/// fixture repository on 127.0.0.1.
/// </summary>
public sealed class OfflineHostMirrorTests : IDisposable
{
    private readonly RebuildWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    private BuildOptions Options(string hostUrl, string cache, bool offline)
    {
        var host = Path.Combine(_ws.Root, "host");
        Directory.CreateDirectory(Path.Combine(host, "etc/apt/sources.list.d"));
        File.WriteAllText(Path.Combine(host, "etc/apt/sources.list.d/fixture.sources"),
            $"Types: deb\nURIs: {hostUrl}\nSuites: bookworm\nComponents: main\n");
        return new BuildOptions
        {
            HostRoot = host,
            CacheDirectory = cache,
            Offline = offline,
            ExtraKeyrings = [_ws.FixtureKeyring],
            Environment = new Dictionary<string, string>(), // no BOOTSTRAP_MIRROR from the test runner's environment
        };
    }

    [Fact]
    public async Task Offline_reuses_the_host_source_whose_InRelease_is_cached_without_any_request()
    {
        using var server = new RepositoryServer(RebuildWorkspace.Repository());
        var recipe = RecipeLoader.Load(_ws.RecipePath);
        var online = await ImageBuilder.PlanAsync(recipe, Options(server.BaseUrl, _ws.Cache(), offline: false), NullReporter.Instance, default);
        var requests = server.RequestCount("dists/bookworm/InRelease");
        Assert.True(requests >= 1);

        var offline = await ImageBuilder.PlanAsync(recipe, Options(server.BaseUrl, _ws.Cache(), offline: true), NullReporter.Instance, default);

        Assert.Equal(online.Packages.Select(p => p.Name), offline.Packages.Select(p => p.Name));
        Assert.Equal(server.BaseUrl, offline.Packages[0].RepositoryUrl);
        Assert.Equal(requests, server.RequestCount("dists/bookworm/InRelease"));
    }

    [Fact]
    public async Task Offline_with_nothing_cached_fails_clearly_without_any_request()
    {
        using var server = new RepositoryServer(RebuildWorkspace.Repository());
        var recipe = RecipeLoader.Load(_ws.RecipePath);

        var e = await Assert.ThrowsAsync<BootstrapException>(() =>
            ImageBuilder.PlanAsync(recipe, Options(server.BaseUrl, _ws.Cache(), offline: true), NullReporter.Instance, default));

        // Not in the cache is a missing file (exit 5), as an offline build that lacks a package.
        Assert.Equal(ExitCodes.FetchFailed, e.ExitCode);
        Assert.Contains($"\n  {server.BaseUrl}: offline, and no verified InRelease of it is cached\n", e.Message);
        Assert.Contains("With --offline only the host sources whose InRelease is in the cache", e.Message);
        Assert.Contains("--mirror file://BUNDLE", e.Message);
        Assert.Equal(0, server.RequestCount("dists/bookworm/InRelease"));
    }
}
