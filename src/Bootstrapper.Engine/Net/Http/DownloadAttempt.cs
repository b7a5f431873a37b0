using System.Net;
using System.Security.Cryptography;

namespace Bootstrapper.Engine.Net.Http;

/// <summary>One attempt: request, stream the body into a sink while hashing, then check length, size and digest.</summary>
internal static class DownloadAttempt
{
    public readonly record struct Outcome(long Size, string Sha256);

    /// <exception cref="DownloadFailure">Retryable failure, or a size/hash mismatch.</exception>
    /// <exception cref="NotFoundFailure">404, 410, or a missing local file.</exception>
    public static async Task<Outcome> RunAsync(HttpClient http, Uri uri, string url, Stream sink, long? expectedSize,
        string? expectedSha256, long maxBytes, DownloaderOptions timeouts, IProgress<long>? progress, CancellationToken ct)
    {
        long reported = 0;
        var counting = progress == null ? null : new Progress(progress, n => reported += n);
        try
        {
            return uri.IsFile
                ? await FromFileAsync(uri, url, sink, expectedSize, expectedSha256, maxBytes, counting, ct).ConfigureAwait(false)
                : await FromHttpAsync(http, uri, sink, expectedSize, expectedSha256, maxBytes, timeouts, counting, ct).ConfigureAwait(false);
        }
        catch
        {
            // Keep the caller's running total equal to the bytes of attempts that succeeded.
            if (reported != 0) progress!.Report(-reported);
            throw;
        }
    }

    private static async Task<Outcome> FromHttpAsync(HttpClient http, Uri uri, Stream sink, long? expectedSize,
        string? expectedSha256, long maxBytes, DownloaderOptions timeouts, Progress? progress, CancellationToken ct)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var idleTimeout = timeouts.IdleTimeout;
        long received = 0;
        bool answered = false;
        try
        {
            idle.CancelAfter(timeouts.ResponseTimeout);
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, idle.Token).ConfigureAwait(false);
            answered = true;
            var status = (int)response.StatusCode;
            if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
                throw new NotFoundFailure($"HTTP {status}");
            if (!response.IsSuccessStatusCode)
            {
                // 5xx, 408 (request timeout) and 429 (too many requests) mean "try again"; other 4xx will not change.
                var retry = status is >= 500 or 408 or 429;
                throw new DownloadFailure(retry ? FailureKind.Transient : FailureKind.Permanent, $"HTTP {status} {response.ReasonPhrase}");
            }
            long? contentLength = response.Content.Headers.ContentLength;
            // Refuse before reading a body that cannot be right: saves the bandwidth of a doomed attempt.
            if (contentLength > maxBytes)
                throw new DownloadFailure(FailureKind.Mismatch, $"the server announces {contentLength} bytes, more than the limit of {maxBytes}");
            if (expectedSize is { } announcedExpected && contentLength is { } announced && announced != announcedExpected)
                throw new DownloadFailure(FailureKind.Mismatch, $"size mismatch: expected {announcedExpected} bytes, the server announces {announced}");

            var body = await response.Content.ReadAsStreamAsync(idle.Token).ConfigureAwait(false);
            await using var disposeBody = body.ConfigureAwait(false);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 16];
            for (; ; )
            {
                idle.CancelAfter(idleTimeout);
                int n = await body.ReadAsync(buffer, idle.Token).ConfigureAwait(false);
                if (n == 0) break;
                received += n;
                if (received > maxBytes || received > expectedSize)
                    throw new DownloadFailure(FailureKind.Mismatch,
                        $"received more than the expected {(expectedSize ?? maxBytes)} bytes");
                hash.AppendData(buffer, 0, n);
                await WriteAsync(sink, buffer, n, ct).ConfigureAwait(false);
                progress?.Report(n);
            }
            if (contentLength is { } length && received != length)
                throw new DownloadFailure(FailureKind.Transient, $"truncated: the connection ended after {received} of {length} bytes");
            return Check(received, hash, expectedSize, expectedSha256);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // Not our idle timer: the handler's ConnectTimeout (the TCP handshake never completed).
            if (!idle.IsCancellationRequested)
                throw new DownloadFailure(FailureKind.Unreachable, $"no connection to {uri.Authority} (connect timeout)");
            // Connected, but not even a status line: a server that accepts and never answers is as good as down.
            if (!answered)
                throw new DownloadFailure(FailureKind.Unreachable,
                    $"no answer from {uri.Authority} within {timeouts.ResponseTimeout.TotalSeconds:0.#} s (connected, but no response)");
            throw new DownloadFailure(FailureKind.Transient,
                $"no data for {idleTimeout.TotalSeconds:0.#} s after {received} bytes (stalled connection)");
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
                                             && received == 0)
        {
            throw new DownloadFailure(FailureKind.Unreachable, $"request failed: {e.Message}", e);
        }
        catch (HttpRequestException e)
        {
            throw new DownloadFailure(FailureKind.Transient,
                received == 0 ? $"request failed: {e.Message}" : $"connection lost after {received} bytes: {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new DownloadFailure(FailureKind.Transient, $"connection lost after {received} bytes: {e.Message}", e);
        }
    }

    private static async Task<Outcome> FromFileAsync(Uri uri, string url, Stream sink, long? expectedSize,
        string? expectedSha256, long maxBytes, Progress? progress, CancellationToken ct)
    {
        FileStream source;
        try
        {
            source = new FileStream(uri.LocalPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new NotFoundFailure("no such file");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DownloadFailure(FailureKind.Transient, $"cannot read {uri.LocalPath}: {e.Message}", e);
        }
        await using (source.ConfigureAwait(false))
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 16];
            long received = 0;
            int n;
            while ((n = await source.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                received += n;
                if (received > maxBytes || received > expectedSize)
                    throw new DownloadFailure(FailureKind.Mismatch, $"{url} is larger than the expected {(expectedSize ?? maxBytes)} bytes");
                hash.AppendData(buffer, 0, n);
                await WriteAsync(sink, buffer, n, ct).ConfigureAwait(false);
                progress?.Report(n);
            }
            return Check(received, hash, expectedSize, expectedSha256);
        }
    }

    /// <summary>A local write failure (disk full) is not the network's fault: retrying the download cannot help.</summary>
    private static async Task WriteAsync(Stream sink, byte[] buffer, int count, CancellationToken ct)
    {
        try
        {
            await sink.WriteAsync(buffer.AsMemory(0, count), ct).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new DownloadFailure(FailureKind.Permanent, $"cannot write the downloaded data ({e.Message}); check free disk space and permissions", e);
        }
    }

    private static Outcome Check(long received, IncrementalHash hash, long? expectedSize, string? expectedSha256)
    {
        if (expectedSize is { } size && received != size)
            throw new DownloadFailure(FailureKind.Mismatch, $"size mismatch: expected {size} bytes, got {received}");
        var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (expectedSha256 != null && !string.Equals(actual, expectedSha256, StringComparison.OrdinalIgnoreCase))
            throw new DownloadFailure(FailureKind.Mismatch, $"SHA-256 mismatch: expected {expectedSha256.ToLowerInvariant()}, got {actual}");
        return new Outcome(received, actual);
    }

    /// <summary>Forwards byte counts synchronously (System.Progress would post them later, out of order).</summary>
    private sealed class Progress(IProgress<long> inner, Action<long> tally)
    {
        public void Report(long n)
        {
            tally(n);
            inner.Report(n);
        }
    }
}
