using System.Collections.Concurrent;

namespace Bootstrapper.Engine.Net.Http;

/// <summary>
/// Counts, per host, the network failures in a row (refused, timed out, stalled, dropped, 5xx) across every download
/// of a build. Each file has its own retries, but a mirror that stalls on every file would otherwise cost each file
/// all its attempts (a build's 90 packages, 30 s of stall each, ran past 400 s); after <see cref="Limit"/> failures
/// in a row with no success between them the host counts as down, and every later attempt fails at once, naming it.
/// </summary>
internal sealed class MirrorHealth
{
    /// <summary>Two rounds of the default four parallel downloads: one burst of 503s from a busy mirror is not enough.</summary>
    public const int Limit = 8;

    private readonly ConcurrentDictionary<string, (int Failures, string Last)> _hosts = new(StringComparer.Ordinal);

    public void Succeeded(Uri uri) => _hosts.TryRemove(Key(uri), out _);

    public void Failed(Uri uri, string reason) =>
        _hosts.AddOrUpdate(Key(uri), (1, reason), (_, h) => (h.Failures + 1, reason));

    /// <summary>A failure that is not retried when the host has failed <see cref="Limit"/> times in a row; else null.</summary>
    public DownloadFailure? GiveUp(Uri uri) =>
        !uri.IsFile && _hosts.TryGetValue(Key(uri), out var h) && h.Failures >= Limit
            ? new DownloadFailure(FailureKind.Permanent,
                $"not tried: {Key(uri)} failed {h.Failures} requests in a row (last: {h.Last}), so the mirror counts as down " +
                "or stalled for this build")
            { NotTried = true }
            : null;

    private static string Key(Uri uri) => uri.GetLeftPart(UriPartial.Authority);
}
