using System.Diagnostics;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Recipes;
using Bootstrapper.Engine;
using Bootstrapper.Engine.Pipeline;
using Bootstrapper.Tests.Fixtures;
using Bootstrapper.Tests.Scenarios.Rebuilds;

namespace Bootstrapper.Tests.Engine.Pipeline;

/// <summary>
/// A mirror whose indices verify but that stalls on every package: the build stops once the mirror has failed
/// eight requests in a row (the issue measured more than 400 s: every package took all its attempts, then again one
/// by one), with exit 5 and a message naming the mirror, and leaves no partial file in the cache.
/// </summary>
public sealed class StallingMirrorBuildTests : IDisposable
{
    private readonly RebuildWorkspace _ws = new();
    private readonly RepositoryServer _server = new(RebuildWorkspace.Repository());

    public void Dispose()
    {
        _server.Dispose();
        _ws.Dispose();
    }

    [Fact]
    public async Task A_build_against_a_mirror_that_stalls_on_every_package_ends_soon_with_exit_5_naming_it()
    {
        using var proxy = new StallingProxy(new Uri(_server.BaseUrl).GetLeftPart(UriPartial.Authority));
        var mirror = proxy.Root + new Uri(_server.BaseUrl).AbsolutePath;
        var options = new BuildOptions
        {
            MirrorOverride = mirror,
            CacheDirectory = _ws.Cache(),
            ExtraKeyrings = [_ws.FixtureKeyring],
            OutputOverride = Path.Combine(_ws.Root, "out", "fixture.tar"),
            // 300 ms of silence is a stall here (30 s by default): the same arithmetic, a hundred times faster.
            Environment = new Dictionary<string, string> { ["BOOTSTRAP_IDLE_TIMEOUT_MS"] = "300", ["BOOTSTRAP_RETRY_DELAY_MS"] = "5" },
        };
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<FetchException>(() =>
            ImageBuilder.BuildAsync(RecipeLoader.Load(_ws.RecipePath), options, new NullReporter(), default));
        clock.Stop();
        Assert.Equal(ExitCodes.FetchFailed, e.ExitCode);
        Assert.Matches($@"^{mirror}/pool/\S+\.deb: (not tried: {proxy.Root} failed 8 requests in a row \(last: )?no data for 0\.3 s " +
                       @"after \d+ bytes \(stalled connection\)", e.Message);
        // Two rounds of four parallel downloads stall (8 requests); nothing is asked of the mirror after that.
        Assert.Equal(MirrorHealthLimit, proxy.Stalled);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.5, 10);
        Assert.Empty(Directory.GetFiles(_ws.Cache(), "*.part", SearchOption.AllDirectories));
        Assert.False(File.Exists(options.OutputOverride));
    }

    private const int MirrorHealthLimit = 8;
}
