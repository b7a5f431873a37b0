using System.Security.Cryptography;
using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Net.Http;
using Bootstrapper.Tests.Fixtures;

namespace Bootstrapper.Tests.Engine.Net.Http;

public sealed class DownloaderTests : IDisposable
{
    private static readonly byte[] Body = RandomNumberGenerator.GetBytes(300_000);
    private static readonly string BodySha = SignedDebianRepository.Sha256(Body);
    private readonly string _dir = Directory.CreateTempSubdirectory("dl").FullName;
    private readonly Downloader _downloader = new(DownloaderOptions.FastRetries);

    public void Dispose()
    {
        _downloader.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string Target => Path.Combine(_dir, "sub", "file.bin");

    [Fact]
    public async Task Recovers_from_503_then_200()
    {
        using var server = new RepositoryServer(new Dictionary<string, byte[]> { ["f.bin"] = Body });
        server.FailFirst("f.bin", times: 2);
        var retries = new List<DownloadRetry>();
        using var downloader = _downloader.WithOptions(_downloader.Options with { OnRetry = r => { lock (retries) retries.Add(r); } });
        var url = server.BaseUrl + "/f.bin";
        var result = await downloader.DownloadAsync(url, Target, Body.Length, BodySha);
        Assert.Equal((3, Body.Length, BodySha), (result.Attempts, result.Size, result.Sha256));
        Assert.Equal([new DownloadRetry(url, 1, 5, "HTTP 503 Service Unavailable"), new DownloadRetry(url, 2, 5, "HTTP 503 Service Unavailable")], retries);
        Assert.Equal(Body, File.ReadAllBytes(Target));
    }

    [Fact]
    public async Task Short_body_is_retried_until_it_matches_the_expected_size()
    {
        using var server = new RepositoryServer(new Dictionary<string, byte[]> { ["f.bin"] = Body });
        server.TruncateFirst("f.bin", Body, 1000);
        var result = await _downloader.DownloadAsync(server.BaseUrl + "/f.bin", Target, Body.Length, BodySha);
        Assert.Equal(2, result.Attempts);
        Assert.Equal(Body, File.ReadAllBytes(Target));
    }

    [Fact]
    public async Task Connection_dropped_mid_body_is_retried()
    {
        using var server = new DroppingHttpServer(Body, new DroppingHttpServer.Step(BodyBytesThenDrop: 100_000), new DroppingHttpServer.Step());
        long progressed = 0;
        var progress = new SyncProgress(n => Interlocked.Add(ref progressed, n));
        var result = await _downloader.DownloadAsync(server.Url, Target, Body.Length, BodySha, progress);
        Assert.Equal(2, result.Attempts);
        Assert.Equal(2, server.Requests);
        Assert.Equal(Body, File.ReadAllBytes(Target));
        Assert.Equal(Body.Length, progressed); // the failed attempt's bytes were taken back
    }

    [Fact]
    public async Task Connection_always_dropped_fails_after_all_attempts_with_a_clear_message()
    {
        using var server = new DroppingHttpServer(Body, new DroppingHttpServer.Step(BodyBytesThenDrop: 5000));
        var e = await Assert.ThrowsAsync<FetchException>(() => _downloader.DownloadAsync(server.Url, Target, Body.Length, BodySha));
        Assert.Matches(@"^http://127\.0\.0\.1:\d+/file\.bin: (connection lost|truncated).* after 5000 .*\(after 5 attempts\); check the network", e.Message);
        Assert.Equal(5, server.Requests);
        AssertNoFilesLeft();
    }

    [Fact]
    public async Task Stalled_connection_times_out_and_is_retried()
    {
        using var server = new DroppingHttpServer(Body, new DroppingHttpServer.Step(BodyBytesThenStall: 1000), new DroppingHttpServer.Step());
        using var impatient = new Downloader(DownloaderOptions.FastRetries with { IdleTimeout = TimeSpan.FromMilliseconds(300) });
        var result = await impatient.DownloadAsync(server.Url, Target, Body.Length, BodySha);
        Assert.Equal(2, result.Attempts);
        Assert.Equal(Body, File.ReadAllBytes(Target));
    }

    [Fact]
    public async Task Stalling_every_time_fails_naming_the_stall()
    {
        using var server = new DroppingHttpServer(Body, new DroppingHttpServer.Step(BodyBytesThenStall: 1000));
        using var impatient = new Downloader(DownloaderOptions.FastRetries with { IdleTimeout = TimeSpan.FromMilliseconds(200), MaxAttempts = 2 });
        var e = await Assert.ThrowsAsync<FetchException>(() => impatient.GetBytesAsync(server.Url));
        Assert.Equal($"{server.Url}: no data for 0.2 s after 1000 bytes (stalled connection) (after 2 attempts); check the network " +
                     "or proxy, or use another mirror", e.Message);
    }

    [Fact]
    public async Task Always_short_body_fails_with_the_size_message()
    {
        using var server = new RepositoryServer(new Dictionary<string, byte[]> { ["f.bin"] = Body[..1000] });
        var url = server.BaseUrl + "/f.bin";
        var e = await Assert.ThrowsAsync<VerificationException>(() => _downloader.DownloadAsync(url, Target, Body.Length, BodySha));
        Assert.Equal($"{url}: size mismatch: expected {Body.Length} bytes, got 1000 (after 5 attempts); the mirror serves a file " +
                     "that does not match the signed index. Try again later (the mirror may be mid-sync) or use another mirror", e.Message);
        AssertNoFilesLeft();

        // A Content-Length that contradicts the signed size is refused before the body is read.
        using var announcing = new DroppingHttpServer(Body);
        var early = await Assert.ThrowsAsync<VerificationException>(() => _downloader.DownloadAsync(announcing.Url, Target, Body.Length + 5));
        Assert.StartsWith($"{announcing.Url}: size mismatch: expected {Body.Length + 5} bytes, the server announces {Body.Length} (after 5 attempts)", early.Message);
    }

    [Fact]
    public async Task Hash_mismatch_never_leaves_or_replaces_the_destination()
    {
        using var server = new RepositoryServer(new Dictionary<string, byte[]> { ["f.bin"] = Body });
        Directory.CreateDirectory(Path.GetDirectoryName(Target)!);
        File.WriteAllText(Target, "previous good content");
        var wrong = new string('0', 64);
        var e = await Assert.ThrowsAsync<VerificationException>(() =>
            _downloader.DownloadAsync(server.BaseUrl + "/f.bin", Target, Body.Length, wrong));
        Assert.Contains($"SHA-256 mismatch: expected {wrong}, got {BodySha}", e.Message);
        Assert.Equal("previous good content", File.ReadAllText(Target));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(Target)!)); // no .part leftovers
    }

    [Fact]
    public async Task Not_found_is_not_retried_and_names_the_url()
    {
        using var server = new RepositoryServer(new Dictionary<string, byte[]>());
        var url = server.BaseUrl + "/missing.deb";
        var e = await Assert.ThrowsAsync<FetchException>(() => _downloader.DownloadAsync(url, Target));
        Assert.Equal($"{url}: not found (HTTP 404); check the mirror URL, suite, component and architecture, or whether the " +
                     "mirror still carries this file", e.Message);
        Assert.Equal(1, server.RequestCount("missing.deb"));
        Assert.Null(await _downloader.TryGetBytesAsync(url));
    }

    [Fact]
    public async Task Forbidden_is_not_retried()
    {
        using var server = new DroppingHttpServer(Body, new DroppingHttpServer.Step(Status: 403));
        var e = await Assert.ThrowsAsync<FetchException>(() => _downloader.GetBytesAsync(server.Url));
        Assert.Equal($"{server.Url}: HTTP 403 Error (after 1 attempt); check the network or proxy, or use another mirror", e.Message);
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public async Task File_urls_are_copied_and_checked()
    {
        var source = Path.Combine(_dir, "source.bin");
        File.WriteAllBytes(source, Body);
        var url = new Uri(source).AbsoluteUri;
        var result = await _downloader.DownloadAsync(url, Target, Body.Length, BodySha);
        Assert.Equal(Body, File.ReadAllBytes(Target));
        Assert.Equal(BodySha, result.Sha256);
        Assert.Equal(Body, await _downloader.GetBytesAsync(url));
        await Assert.ThrowsAsync<FetchException>(() => _downloader.DownloadAsync(url + ".missing", Target));
        await Assert.ThrowsAsync<VerificationException>(() => _downloader.DownloadAsync(url, Target, Body.Length + 1));
    }

    [Fact]
    public async Task Concurrent_downloads_of_one_target_all_succeed_with_intact_content()
    {
        using var server = new RepositoryServer(new Dictionary<string, byte[]> { ["f.bin"] = Body });
        var tasks = Enumerable.Range(0, 6).Select(_ => Task.Run(() =>
            _downloader.DownloadAsync(server.BaseUrl + "/f.bin", Target, Body.Length, BodySha)));
        await Task.WhenAll(tasks);
        Assert.Equal(Body, File.ReadAllBytes(Target));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(Target)!));
    }

    [Fact]
    public async Task Unsupported_scheme_is_refused()
    {
        var e = await Assert.ThrowsAsync<FetchException>(() => _downloader.GetBytesAsync("ftp://127.0.0.1/x"));
        Assert.Equal("ftp://127.0.0.1/x: not an http, https or file:// URL; fix the mirror or source URL", e.Message);
    }

    private void AssertNoFilesLeft()
    {
        var dir = Path.GetDirectoryName(Target);
        Assert.True(!Directory.Exists(dir) || Directory.GetFiles(dir).Length == 0);
    }

    private sealed class SyncProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
