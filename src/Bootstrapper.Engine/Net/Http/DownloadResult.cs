namespace Bootstrapper.Engine.Net.Http;

/// <summary>A file that was downloaded and checked.</summary>
/// <param name="Path">Where it now is (the destination given).</param>
/// <param name="Sha256">Lower-case hex SHA-256 of what was written (computed while downloading).</param>
/// <param name="Attempts">1 when the first attempt succeeded.</param>
internal sealed record DownloadResult(string Path, long Size, string Sha256, int Attempts);

/// <summary>An attempt failed and the downloader will try again.</summary>
/// <param name="Attempt">1-based number of the attempt that failed.</param>
/// <param name="Reason">"HTTP 503 Service Unavailable", "connection lost after 5000 bytes: ...".</param>
internal sealed record DownloadRetry(string Url, int Attempt, int MaxAttempts, string Reason);
