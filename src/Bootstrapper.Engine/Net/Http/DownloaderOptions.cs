namespace Bootstrapper.Engine.Net.Http;

/// <summary>How hard the <see cref="Downloader"/> tries. Defaults suit a public mirror; tests shrink the delays.</summary>
internal sealed record DownloaderOptions
{
    /// <summary>Total attempts per file, the first included.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Delay before the first retry; doubled for each further one (with jitter).</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>An attempt fails when no byte arrives for this long (a stalled connection), however large the file.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A server that accepted the connection must send its response's status line within this (a server
    /// that accepts and never answers is down: tried twice, like a refused connection).</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>A TCP handshake that has not completed by then (a blackholed address) fails the attempt; the kernel
    /// has retransmitted the SYN three times by then (after 1, 3 and 7 s).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

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
        ResponseTimeout = TimeSpan.FromSeconds(5),
        ConnectTimeout = TimeSpan.FromSeconds(5),
    };

    /// <summary>
    /// Defaults, except that BOOTSTRAP_RETRY_DELAY_MS replaces the first retry delay and BOOTSTRAP_IDLE_TIMEOUT_MS the
    /// idle timeout (when set to an integer): a way for tests to shorten retries and stalls of a real build without a
    /// command-line option.
    /// </summary>
    public static DownloaderOptions FromEnvironment(IReadOnlyDictionary<string, string> environment)
    {
        var options = new DownloaderOptions();
        if (Milliseconds(environment, "BOOTSTRAP_RETRY_DELAY_MS") is { } delay)
            options = options with { FirstRetryDelay = delay };
        if (Milliseconds(environment, "BOOTSTRAP_IDLE_TIMEOUT_MS") is { } idle && idle > TimeSpan.Zero)
            options = options with { IdleTimeout = idle };
        return options;
    }

    private static TimeSpan? Milliseconds(IReadOnlyDictionary<string, string> environment, string name) =>
        int.TryParse(environment.GetValueOrDefault(name), out var ms) && ms >= 0 ? TimeSpan.FromMilliseconds(ms) : null;
}
