using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Planning;
using Bootstrapper.Core.Recipes;
using Bootstrapper.Engine;
using Bootstrapper.Engine.Pipeline;
using Bootstrapper.Tests.Fixtures;
using Bootstrapper.Tests.Scenarios.Rebuilds;

namespace Bootstrapper.Tests.Engine.Net.Mirrors;

/// <summary>
/// No usable mirror among the host's apt sources: the plan lists each one with what happened, exit 5 when none could
/// be reached or had the suite (was exit 2, "none ... verifies", with no network), exit 3 when one answered with an
/// index that fails verification (an expired one gave the same exit 2 text).
/// </summary>
public sealed class HostMirrorFailureTests : IDisposable
{
    private readonly RebuildWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    private Task<Plan> PlanWithHostSources(params string[] urls)
    {
        var host = Path.Combine(_ws.Root, "host");
        Directory.CreateDirectory(Path.Combine(host, "etc/apt/sources.list.d"));
        File.WriteAllText(Path.Combine(host, "etc/apt/sources.list.d/host.sources"),
            $"Types: deb\nURIs: {string.Join(' ', urls)}\nSuites: bookworm\nComponents: main\n");
        var options = new BuildOptions
        {
            HostRoot = host,
            CacheDirectory = _ws.Cache(),
            ExtraKeyrings = [_ws.FixtureKeyring],
            Environment = new Dictionary<string, string> { ["BOOTSTRAP_RETRY_DELAY_MS"] = "1" },
        };
        return ImageBuilder.PlanAsync(RecipeLoader.Load(_ws.RecipePath), options, NullReporter.Instance, default);
    }

    [Fact]
    public async Task Unreachable_and_missing_host_sources_are_each_listed_with_exit_5()
    {
        var port = DeadEndpoints.ClosedPort();
        using var other = new RepositoryServer(new Dictionary<string, byte[]>()); // answers 404 to everything
        var e = await Assert.ThrowsAsync<FetchException>(() => PlanWithHostSources($"http://127.0.0.1:{port}/debian", other.BaseUrl));
        Assert.Equal(ExitCodes.FetchFailed, e.ExitCode);
        Assert.StartsWith("no mirror for sources[0] (suite 'bookworm', archive 'debian'): none of the host's apt sources has a " +
                          "dists/bookworm/InRelease that verifies with the recipe's keyring:\n" +
                          $"  http://127.0.0.1:{port}/debian: request failed: Connection refused (127.0.0.1:{port})\n" +
                          $"  {other.BaseUrl}: HTTP 404 for dists/bookworm/InRelease\n" +
                          "Give one with --mirror URL (every source), --mirror debian=URL,", e.Message);
    }

    [Fact]
    public async Task An_expired_index_behind_a_host_source_is_a_verification_failure_with_exit_3()
    {
        var port = DeadEndpoints.ClosedPort();
        var repo = RebuildWorkspace.Repository();
        repo.ValidUntil = DateTimeOffset.UtcNow.AddDays(-1);
        using var stale = new RepositoryServer(repo);
        var e = await Assert.ThrowsAsync<VerificationException>(() => PlanWithHostSources($"http://127.0.0.1:{port}/debian", stale.BaseUrl));
        Assert.Equal(ExitCodes.VerificationFailed, e.ExitCode);
        // The one host source that serves the suite is expired: its own fetch fails, saying how to accept it.
        Assert.StartsWith(stale.BaseUrl, e.Message);
        Assert.Contains("--no-check-valid-until", e.Message);
    }
}
