using System.Collections.Concurrent;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Planning;
using Bootstrapper.Engine.Net.Http;

namespace Bootstrapper.Engine.Pipeline;

/// <summary>
/// Brings every planned package into the content-addressed cache and hands back verified paths.
/// </summary>
/// <remarks>
/// The cache is keyed by the signed index's SHA-256 (or, for families whose index has no file hash, by the key the
/// family gives), so a file's name is its identity: two builds sharing a cache either find the same bytes or
/// write the same bytes, and the downloader's temp-file-then-rename makes each write atomic. A cached file is
/// checked again every time it is used (<see cref="PackageFileCheck"/>: SHA-256, or the family's own check where the
/// index gives none): a corrupt or planted entry (a disk error, someone who can write the cache) is deleted and
/// fetched again instead of being installed, or, offline, named in a verification error. A download is checked the
/// same way before it is renamed into the cache, so a file that fails never stays there.
/// </remarks>
internal sealed class PackageFetcher(Downloader downloader, string cacheDirectory, IBuildReporter reporter,
    int parallelism, bool offline, PackageFileCheck check)
{
    /// <param name="packages">In the order to fetch them (the install's order of need).</param>
    /// <param name="verified">Told of each package as soon as its file is verified in the cache.</param>
    public async Task<IReadOnlyDictionary<PlannedPackage, string>> FetchAsync(IReadOnlyList<PlannedPackage> packages,
        CancellationToken ct, Action<PlannedPackage, string>? verified = null)
    {
        var result = new ConcurrentDictionary<PlannedPackage, string>();
        long total = packages.Sum(p => p.Size), done = 0;
        int fromCache = 0;
        var missing = new ConcurrentBag<string>();
        var rejected = new ConcurrentBag<string>();
        reporter.Progress("download", 0, total, "bytes");

        await Parallel.ForEachAsync(packages, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct },
            async (p, token) =>
            {
                var path = CachePath(p);
                var cached = CheckCached(p);
                if (cached.Valid)
                {
                    Interlocked.Increment(ref fromCache);
                    reporter.Progress("download", Interlocked.Add(ref done, p.Size), total, "bytes");
                    result[p] = path;
                    verified?.Invoke(p, path);
                    return;
                }
                var url = p.RepositoryUrl.TrimEnd('/') + "/" + p.Filename;
                if (offline && !url.StartsWith("file:", StringComparison.Ordinal))
                {
                    if (cached.Rejection is { } why) rejected.Add(why);
                    else missing.Add($"{PackageFileCheck.Describe(p)}: {url}");
                    return;
                }
                if (cached.Rejection is { } reason)
                    reporter.Warning($"a cached package failed verification: {reason}; deleted it, fetching it again");
                var progress = new Progress(n => reporter.Progress("download", Interlocked.Add(ref done, n), total, "bytes"));
                reporter.Verbose($"fetching {url}");
                reporter.Step("download", $"fetching {p.Name} {p.Version}");
                try
                {
                    await downloader.DownloadAsync(url, path, p.Size, p.Sha256, progress, token, VerifyDownload(p))
                        .ConfigureAwait(false);
                }
                catch (FetchException e) when (offline) // a bundle without the file: list it with the rest
                {
                    missing.Add($"{p.Name} {p.Version} ({p.Architecture}): {e.Message}");
                    return;
                }
                result[p] = path;
                verified?.Invoke(p, path);
            }).ConfigureAwait(false);

        if (!rejected.IsEmpty)
            throw new VerificationException(
                $"--offline: {rejected.Count} package(s) in the cache ({cacheDirectory}) failed verification and were deleted:\n  " +
                string.Join("\n  ", rejected.OrderBy(m => m, StringComparer.Ordinal)) +
                (missing.IsEmpty ? "" : $"\nand {missing.Count} more are not in the cache") +
                "\nRun `bootstrap fetch` for this recipe while online, or point --mirror at a bundle that has them.");
        if (!missing.IsEmpty)
            throw new FetchException(
                $"--offline: {missing.Count} package(s) are neither in the cache ({cacheDirectory}) nor on a file:// mirror:\n  " +
                string.Join("\n  ", missing.OrderBy(m => m, StringComparer.Ordinal)) +
                "\nRun `bootstrap fetch` for this recipe while online, or point --mirror at a bundle that has them.");
        reporter.Verbose($"{fromCache} of {packages.Count} packages came from the cache");
        return result;
    }

    /// <summary>Where a package lives in the cache: by SHA-256 when the index gives one, else by the family's key.</summary>
    public string CachePath(PlannedPackage p) => new Layout(cacheDirectory).CachePath(p);

    /// <summary>The cache's content-addressed layout: where a package's file is, known before it is fetched.</summary>
    public readonly record struct Layout(string CacheDirectory)
    {
        public string CachePath(PlannedPackage p)
        {
            var ext = Path.GetExtension(p.Filename);
            if (p.Sha256 is { Length: 64 } sha)
                return Path.Combine(CacheDirectory, "sha256", sha[..2], sha + ext);
            if (p.CacheKey is { Length: > 0 } key && key.All(char.IsAsciiLetterOrDigit))
                return Path.Combine(CacheDirectory, "key", key[..2], key + ext);
            throw new VerificationException(
                $"package {p.Name} {p.Version} has neither a SHA-256 nor a cache key in its index; refusing to cache it unverified");
        }
    }

    /// <summary>What the cache holds for a package.</summary>
    /// <param name="Valid">The file is there and passed every check.</param>
    /// <param name="Rejection">Why a file that was there failed (it has been deleted); null when it passed or was absent.</param>
    public readonly record struct CachedFile(bool Valid, string? Rejection);

    /// <summary>Checks the cached file of <paramref name="p"/>, if any; deletes it when it is not the package.</summary>
    public CachedFile CheckCached(PlannedPackage p)
    {
        var path = CachePath(p);
        if (Directory.Exists(path)) // not a file (made by hand, or by an old bug): it would block every later build
        {
            Directory.Delete(path, recursive: true);
            return new CachedFile(false, $"{PackageFileCheck.Describe(p)}: the cache entry {path} was a folder, not a file; removed it");
        }
        if (!File.Exists(path)) return new CachedFile(false, null);
        try
        {
            check.Verify(p, path, path);
            return new CachedFile(true, null);
        }
        catch (VerificationException e)
        {
            TryDelete(path);
            return new CachedFile(false, e.Message.TrimEnd('.')); // names the package and the cache path
        }
    }

    /// <summary>The downloader's last check before a download of <paramref name="p"/> is renamed into the cache.</summary>
    public Action<string> VerifyDownload(PlannedPackage p) => file => check.VerifyContent(p, file, "as downloaded");

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private sealed class Progress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
