using System.Diagnostics;
using System.Security.Cryptography;
using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Net.Http;
using Bootstrapper.Tests.Fixtures;

namespace Bootstrapper.Tests.Engine.Net.Http;

/// <summary>Mirrors that refuse, never complete a handshake, or stall on every file fail fast, naming the mirror.</summary>
public sealed class DeadMirrorTests : IDisposable
{
    private static readonly byte[] Body = RandomNumberGenerator.GetBytes(50_000);
    private readonly string _dir = Directory.CreateTempSubdirectory("dead").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_refused_connection_is_tried_twice_not_five_times()
    {
        var port = DeadEndpoints.ClosedPort();
        var retries = new List<DownloadRetry>();
        using var downloader = new Downloader(DownloaderOptions.FastRetries with { OnRetry = retries.Add });
        var url = $"http://127.0.0.1:{port}/debian/dists/bookworm/InRelease";
        var e = await Assert.ThrowsAsync<FetchException>(() => downloader.GetBytesAsync(url));
        Assert.Equal($"{url}: request failed: Connection refused (127.0.0.1:{port}) (after 2 attempts); check the network or " +
                     "proxy, or use another mirror", e.Message);
        Assert.Single(retries);
    }

    [Fact]
    public async Task A_blackholed_address_fails_at_the_connect_timeout()
    {
        using var hole = new DeadEndpoints.Blackhole();
        using var downloader = new Downloader(DownloaderOptions.FastRetries with { ConnectTimeout = TimeSpan.FromMilliseconds(500) });
        var url = $"http://127.0.0.1:{hole.Port}/debian/dists/bookworm/InRelease";
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<FetchException>(() => downloader.GetBytesAsync(url));
        Assert.Equal($"{url}: no connection to 127.0.0.1:{hole.Port} (connect timeout) (after 2 attempts); check the network or " +
                     "proxy, or use another mirror", e.Message);
        Assert.InRange(clock.Elapsed.TotalSeconds, 1.0, 4.0); // two connect timeouts, not the idle timeout (5 s)
    }

    [Fact]
    public async Task A_server_that_accepts_but_never_answers_is_tried_twice_for_the_response_timeout()
    {
        using var silent = new DeadEndpoints.Silent();
        using var downloader = new Downloader(DownloaderOptions.FastRetries with { ResponseTimeout = TimeSpan.FromMilliseconds(400) });
        var url = $"http://127.0.0.1:{silent.Port}/debian/dists/bookworm/InRelease";
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<FetchException>(() => downloader.GetBytesAsync(url));
        Assert.Equal($"{url}: no answer from 127.0.0.1:{silent.Port} within 0.4 s (connected, but no response) (after 2 attempts); " +
                     "check the network or proxy, or use another mirror", e.Message);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.8, 4.0); // not the idle timeout (5 s), not five attempts
    }

    [Fact]
    public async Task A_mirror_that_stalls_on_every_file_counts_as_down_after_eight_failures_in_a_row()
    {
        using var server = new DroppingHttpServer(Body, new DroppingHttpServer.Step(BodyBytesThenStall: 1000));
        using var downloader = new Downloader(DownloaderOptions.FastRetries with { IdleTimeout = TimeSpan.FromMilliseconds(200) });
        var host = new Uri(server.Url).GetLeftPart(UriPartial.Authority);
        var first = await Assert.ThrowsAsync<FetchException>(() => downloader.DownloadAsync(server.Url, Path.Combine(_dir, "a"), Body.Length));
        Assert.Contains("(after 5 attempts)", first.Message);
        // The next file gets three attempts (8 in a row), the one after that none.
        await Assert.ThrowsAsync<FetchException>(() => downloader.DownloadAsync(server.Url + "?b", Path.Combine(_dir, "b"), Body.Length));
        var third = await Assert.ThrowsAsync<FetchException>(() => downloader.DownloadAsync(server.Url + "?c", Path.Combine(_dir, "c"), Body.Length));
        Assert.Equal(8, server.Requests);
        Assert.Equal($"{server.Url}?c: not tried: {host} failed 8 requests in a row (last: no data for 0.2 s after 1000 bytes " +
                     "(stalled connection)), so the mirror counts as down or stalled for this build; check the " +
                     "network or proxy, or use another mirror", third.Message);
        Assert.Empty(Directory.GetFiles(_dir, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_success_in_between_resets_the_count()
    {
        using var server = new DroppingHttpServer(Body,
            new DroppingHttpServer.Step(BodyBytesThenStall: 1000), new DroppingHttpServer.Step(BodyBytesThenStall: 1000),
            new DroppingHttpServer.Step(BodyBytesThenStall: 1000), new DroppingHttpServer.Step(BodyBytesThenStall: 1000),
            new DroppingHttpServer.Step(), new DroppingHttpServer.Step(BodyBytesThenStall: 1000));
        using var downloader = new Downloader(DownloaderOptions.FastRetries with { IdleTimeout = TimeSpan.FromMilliseconds(200) });
        Assert.Equal(5, (await downloader.DownloadAsync(server.Url, Path.Combine(_dir, "a"), Body.Length)).Attempts);
        // 4 failures, a success, then stalls: this file gets all its 5 attempts again.
        var e = await Assert.ThrowsAsync<FetchException>(() => downloader.DownloadAsync(server.Url + "?b", Path.Combine(_dir, "b"), Body.Length));
        Assert.Contains("stalled connection) (after 5 attempts)", e.Message);
    }
}
