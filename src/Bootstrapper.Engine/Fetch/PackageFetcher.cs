using System.Collections.Concurrent;
using System.Security.Cryptography;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Planning;
using Bootstrapper.Engine.Build;
using Bootstrapper.Engine.Http;

namespace Bootstrapper.Engine.Fetch;

/// <summary>
/// Brings every planned package into the content-addressed cache and hands back verified paths.
/// </summary>
/// <remarks>
/// The cache is keyed by the signed index's SHA-256 (or, for families whose index has no file hash, by the key the
/// family gives), so a file's name is its identity: two builds sharing a cache either find the same bytes or
/// write the same bytes, and the downloader's temp-file-then-rename makes each write atomic. A cached file is
/// hashed again every time it is used: a corrupt entry (a disk error, someone editing the cache) is fetched again
/// instead of being installed.
/// </remarks>
public sealed class PackageFetcher(Downloader downloader, string cacheDirectory, IBuildReporter reporter,
    int parallelism, bool offline)
{
    public async Task<IReadOnlyDictionary<PlannedPackage, string>> FetchAsync(IReadOnlyList<PlannedPackage> packages,
        CancellationToken ct)
    {
        var result = new ConcurrentDictionary<PlannedPackage, string>();
        long total = packages.Sum(p => p.Size), done = 0;
        int fromCache = 0;
        var missing = new ConcurrentBag<string>();
        reporter.Progress("download", 0, total, "bytes");

        await Parallel.ForEachAsync(packages, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct },
            async (p, token) =>
            {
                var path = CachePath(p);
                if (await IsValidAsync(p, path, token).ConfigureAwait(false))
                {
                    Interlocked.Increment(ref fromCache);
                    reporter.Progress("download", Interlocked.Add(ref done, p.Size), total, "bytes");
                    result[p] = path;
                    return;
                }
                var url = p.RepositoryUrl.TrimEnd('/') + "/" + p.Filename;
                if (offline && !url.StartsWith("file:", StringComparison.Ordinal))
                {
                    missing.Add($"{p.Name} {p.Version} ({p.Architecture}): {url}");
                    return;
                }
                var progress = new Progress(n => reporter.Progress("download", Interlocked.Add(ref done, n), total, "bytes"));
                reporter.Verbose($"fetching {url}");
                try
                {
                    await downloader.DownloadAsync(url, path, p.Size, p.Sha256, progress, token).ConfigureAwait(false);
                }
                catch (FetchException e) when (offline) // a bundle without the file: list it with the rest
                {
                    missing.Add($"{p.Name} {p.Version} ({p.Architecture}): {e.Message}");
                    return;
                }
                result[p] = path;
            }).ConfigureAwait(false);

        if (!missing.IsEmpty)
            throw new FetchException(
                $"--offline: {missing.Count} package(s) are neither in the cache ({cacheDirectory}) nor on a file:// mirror:\n  " +
                string.Join("\n  ", missing.OrderBy(m => m, StringComparer.Ordinal)) +
                "\nRun `bootstrap fetch` for this recipe while online, or point --mirror at a bundle that has them.");
        reporter.Verbose($"{fromCache} of {packages.Count} packages came from the cache");
        return result;
    }

    /// <summary>Where a package lives in the cache: by SHA-256 when the index gives one, else by the family's key.</summary>
    public string CachePath(PlannedPackage p)
    {
        var ext = Path.GetExtension(p.Filename);
        if (p.Sha256 is { Length: 64 } sha)
            return Path.Combine(cacheDirectory, "sha256", sha[..2], sha + ext);
        if (p.Extra.TryGetValue("cacheKey", out var key) && key.Length > 0 && key.All(char.IsAsciiLetterOrDigit))
            return Path.Combine(cacheDirectory, "key", key[..2], key + ext);
        throw new VerificationException(
            $"package {p.Name} {p.Version} has neither a SHA-256 nor a cache key in its index; refusing to cache it unverified");
    }

    private static async Task<bool> IsValidAsync(PlannedPackage p, string path, CancellationToken ct)
    {
        var info = new FileInfo(path);
        if (!info.Exists) return false;
        if (info.Length != p.Size || p.Sha256 is null && !p.Extra.ContainsKey("cacheKey"))
        {
            TryDelete(path);
            return false;
        }
        if (p.Sha256 is null) return true; // the family verifies these itself (Alpine: signature + checksums).
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct).ConfigureAwait(false));
        if (hash == p.Sha256) return true;
        TryDelete(path);
        return false;
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private sealed class Progress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
