namespace Bootstrapper.Engine.Http;

/// <summary>How hard the <see cref="Downloader"/> tries. Defaults suit a public mirror; tests shrink the delays.</summary>
public sealed record DownloaderOptions
{
    /// <summary>Total attempts per file, the first included.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Delay before the first retry; doubled for each further one (with jitter).</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>An attempt fails when no byte arrives for this long (a stalled connection), however large the file.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Upper bound for <see cref="Downloader.GetBytesAsync"/>, so a hostile server cannot exhaust memory.</summary>
    public long MaxInMemoryBytes { get; init; } = 256L * 1024 * 1024;

    public string UserAgent { get; init; } = "bootstrapper/1.0";

    /// <summary>Called when an attempt failed and another will follow (for a "retrying ..." warning line).</summary>
    public Action<DownloadRetry>? OnRetry { get; init; }

    /// <summary>Millisecond delays and a short idle timeout: for tests against local servers.</summary>
    public static DownloaderOptions FastRetries { get; } = new()
    {
        FirstRetryDelay = TimeSpan.FromMilliseconds(5),
        IdleTimeout = TimeSpan.FromSeconds(5),
        ConnectTimeout = TimeSpan.FromSeconds(5),
    };

    /// <summary>
    /// Defaults, except that BOOTSTRAP_RETRY_DELAY_MS (when set to an integer) replaces the first retry delay: a way
    /// for end-to-end tests to shorten retries of the real executable without a command-line option.
    /// </summary>
    public static DownloaderOptions FromEnvironment()
    {
        var options = new DownloaderOptions();
        if (int.TryParse(Environment.GetEnvironmentVariable("BOOTSTRAP_RETRY_DELAY_MS"), out var ms) && ms >= 0)
            options = options with { FirstRetryDelay = TimeSpan.FromMilliseconds(ms) };
        return options;
    }
}
