using System.Net;
using Bootstrapper.Core.Errors;
using Polly;
using Polly.Retry;

namespace Bootstrapper.Engine.Net.Http;

/// <summary>
/// Every fetch of the product goes through here: http, https and file:// URLs. The retry pipeline wraps the whole
/// download (request, body, size and SHA-256 check), because a handler-level policy sees only response headers
/// and would accept a truncated body or miss a connection dropped mid-transfer. Files are written to a unique
/// temporary name beside the destination and renamed only after they verified, so the destination is either
/// absent, the previous content, or a complete verified file, even when two processes download it at once.
/// </summary>
internal sealed class Downloader : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsClient;
    private readonly ResiliencePipeline _pipeline;
    private readonly MirrorHealth _health;
    /// <summary>The URL an attempt fetches, for the pipeline's <c>OnRetry</c> report.</summary>
    private static readonly ResiliencePropertyKey<string> UrlKey = new("bootstrap.url");

    public DownloaderOptions Options { get; }

    /// <param name="options">Retry and timeout settings; defaults when null.</param>
    /// <param name="handler">Custom HTTP handler (tests, proxies); a SocketsHttpHandler when null.</param>
    public Downloader(DownloaderOptions? options = null, HttpMessageHandler? handler = null)
        : this(options ?? new DownloaderOptions(), CreateClient(options ?? new DownloaderOptions(), handler), ownsClient: true, new MirrorHealth())
    {
    }

    private Downloader(DownloaderOptions options, HttpClient http, bool ownsClient, MirrorHealth health)
    {
        Options = options;
        _http = http;
        _ownsClient = ownsClient;
        _health = health;
        _pipeline = options.MaxAttempts <= 1
            ? ResiliencePipeline.Empty
            : new ResiliencePipelineBuilder()
                .AddRetry(new RetryStrategyOptions
                {
                    ShouldHandle = args => ValueTask.FromResult(
                        args.Outcome.Exception is DownloadFailure f && WillRetry(f, args.AttemptNumber + 1)),
                    MaxRetryAttempts = options.MaxAttempts - 1,
                    Delay = options.FirstRetryDelay,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = options.FirstRetryDelay > TimeSpan.Zero,
                    OnRetry = args =>
                    {
                        if (options.OnRetry is { } report && args.Outcome.Exception is DownloadFailure failure)
                            report(new DownloadRetry(args.Context.Properties.GetValue(UrlKey, ""), args.AttemptNumber + 1,
                                MaxAttemptsFor(failure), failure.Message));
                        return default;
                    },
                })
                .Build();
    }

    /// <summary>The same connection pool and mirror health with other retry settings (for example one attempt, to probe a mirror).</summary>
    public Downloader WithOptions(DownloaderOptions options) => new(options, _http, ownsClient: false, _health);

    /// <summary>Whether a failure of attempt number <paramref name="attempts"/> (1-based) is followed by another.</summary>
    private bool WillRetry(DownloadFailure failure, int attempts) => attempts < MaxAttemptsFor(failure);

    private int MaxAttemptsFor(DownloadFailure failure) => failure.Kind switch
    {
        FailureKind.Permanent => 1,
        FailureKind.Unreachable => Math.Min(2, Options.MaxAttempts),
        _ => Options.MaxAttempts,
    };

    /// <summary>One attempt, unless the host already counts as down; its outcome updates the host's record.</summary>
    private async Task<DownloadAttempt.Outcome> AttemptAsync(Uri uri, string url, Stream sink, long? expectedSize,
        string? expectedSha256, long maxBytes, IProgress<long>? progress, CancellationToken ct)
    {
        if (_health.GiveUp(uri) is { } down) throw down;
        try
        {
            var outcome = await DownloadAttempt.RunAsync(_http, uri, url, sink, expectedSize, expectedSha256, maxBytes,
                Options, progress, ct).ConfigureAwait(false);
            _health.Succeeded(uri);
            return outcome;
        }
        catch (DownloadFailure failure) when (failure.Kind is FailureKind.Transient or FailureKind.Unreachable)
        {
            _health.Failed(uri, failure.Message);
            throw;
        }
        catch (NotFoundFailure)
        {
            _health.Succeeded(uri); // the mirror answered
            throw;
        }
    }

    /// <summary>Downloads <paramref name="url"/> to <paramref name="destinationPath"/>, replacing it atomically.</summary>
    /// <param name="expectedSize">Size from a signed index; checked before the rename.</param>
    /// <param name="expectedSha256">Hex SHA-256 from a signed index; checked before the rename.</param>
    /// <param name="progress">Receives byte counts as they arrive; a failed attempt reports minus what it had reported.</param>
    /// <param name="verify">A further check of the complete temporary file before the rename (a family's own package
    /// verification); a <see cref="VerificationException"/> from it counts as a mismatch: retried, then reported.</param>
    /// <exception cref="FetchException">Not found (not retried), or still failing after the last attempt.</exception>
    /// <exception cref="VerificationException">Size, SHA-256 or <paramref name="verify"/> still failing after the last attempt.</exception>
    public async Task<DownloadResult> DownloadAsync(string url, string destinationPath, long? expectedSize = null,
        string? expectedSha256 = null, IProgress<long>? progress = null, CancellationToken cancellationToken = default,
        Action<string>? verify = null)
        => await TryDownloadAsync(url, destinationPath, expectedSize, expectedSha256, progress, cancellationToken, verify).ConfigureAwait(false)
           ?? throw NotFound(url);

    /// <summary>As <see cref="DownloadAsync"/>, but returns null when the server says 404/410 (or the file is absent).</summary>
    public async Task<DownloadResult?> TryDownloadAsync(string url, string destinationPath, long? expectedSize = null,
        string? expectedSha256 = null, IProgress<long>? progress = null, CancellationToken cancellationToken = default,
        Action<string>? verify = null)
    {
        var fullPath = Path.GetFullPath(destinationPath);
        var directory = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(directory);
        return await RunAsync(url, async (uri, attempts, ct) =>
        {
            // Unique per process and attempt: two processes fetching the same file never share a temp file.
            var temp = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Environment.ProcessId}.{Guid.NewGuid():N}.part");
            try
            {
                DownloadAttempt.Outcome outcome;
                var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
                await using (file.ConfigureAwait(false))
                {
                    outcome = await AttemptAsync(uri, url, file, expectedSize, expectedSha256, long.MaxValue, progress, ct).ConfigureAwait(false);
                    await file.FlushAsync(ct).ConfigureAwait(false);
                }
                Verify(verify, temp);
                File.Move(temp, fullPath, overwrite: true);
                return new DownloadResult(fullPath, outcome.Size, outcome.Sha256, attempts);
            }
            finally
            {
                TryDelete(temp);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Fetches a small file (InRelease, Release.gpg) into memory with the same retry policy.</summary>
    /// <exception cref="FetchException">Not found, too large, or still failing after the last attempt.</exception>
    /// <exception cref="VerificationException">Size or SHA-256 (when given) still wrong after the last attempt.</exception>
    public async Task<byte[]> GetBytesAsync(string url, long? expectedSize = null, string? expectedSha256 = null,
        CancellationToken cancellationToken = default)
        => await TryGetBytesAsync(url, expectedSize, expectedSha256, cancellationToken).ConfigureAwait(false) ?? throw NotFound(url);

    /// <summary>As <see cref="GetBytesAsync"/>, but null when the server says 404/410 (or the file is absent).</summary>
    public async Task<byte[]?> TryGetBytesAsync(string url, long? expectedSize = null, string? expectedSha256 = null,
        CancellationToken cancellationToken = default)
    {
        return await RunAsync(url, async (uri, _, ct) =>
        {
            var buffer = new MemoryStream();
            await AttemptAsync(uri, url, buffer, expectedSize, expectedSha256, Options.MaxInMemoryBytes, null, ct).ConfigureAwait(false);
            return buffer.ToArray();
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The one retry loop: runs <paramref name="attempt"/> (given the URL, the 1-based attempt number and the token)
    /// under the pipeline, which retries and reports (<see cref="DownloaderOptions.OnRetry"/>); null when the file
    /// does not exist, else the last failure as a <see cref="BootstrapException"/> naming the URL and the attempts.
    /// </summary>
    private async Task<T?> RunAsync<T>(string url, Func<Uri, int, CancellationToken, Task<T>> attempt,
        CancellationToken cancellationToken) where T : class
    {
        var uri = ParseUrl(url);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(UrlKey, url);
        int attempts = 0;
        try
        {
            return await _pipeline.ExecuteAsync(async ctx => await attempt(uri, ++attempts, ctx.CancellationToken).ConfigureAwait(false), context).ConfigureAwait(false);
        }
        catch (NotFoundFailure)
        {
            return null;
        }
        catch (DownloadFailure failure)
        {
            throw Final(url, failure, attempts);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static void Verify(Action<string>? verify, string temp)
    {
        try
        {
            verify?.Invoke(temp);
        }
        catch (VerificationException e) // never renamed into place; the temporary file is deleted below
        {
            throw new DownloadFailure(FailureKind.Mismatch, e.Message.TrimEnd('.'), e);
        }
    }

    public void Dispose()
    {
        if (_ownsClient) _http.Dispose();
    }

    internal static FetchException NotFound(string url) =>
        new($"{url}: not found (HTTP 404); check the mirror URL, suite, component and architecture, or whether the " +
            "mirror still carries this file");

    private static BootstrapException Final(string url, DownloadFailure failure, int attempts)
    {
        if (failure.NotTried) attempts--;
        var tries = attempts == 1 ? " (after 1 attempt)" : attempts == 0 ? "" : $" (after {attempts} attempts)";
        return failure.Kind == FailureKind.Mismatch
            ? new VerificationException(
                $"{url}: {failure.Message}{tries}; the mirror serves a file that does not match the signed index. " +
                "Try again later (the mirror may be mid-sync) or use another mirror", failure)
            : new FetchException($"{url}: {failure.Message}{tries}; check the network or proxy, or use another mirror", failure);
    }

    private static Uri ParseUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https" or "file"))
            throw new FetchException($"{url}: not an http, https or file:// URL; fix the mirror or source URL");
        return uri;
    }

    private static HttpClient CreateClient(DownloaderOptions options, HttpMessageHandler? handler)
    {
        handler ??= new SocketsHttpHandler
        {
            ConnectTimeout = options.ConnectTimeout,
            // Indices and packages are already compressed; transparent decompression would defeat size checks.
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        var client = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.ParseAdd(options.UserAgent);
        return client;
    }

    private static void TryDelete(string path)
    {
        try
        {
            if (File.Exists(path)) File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover .part file is harmless and never read.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
