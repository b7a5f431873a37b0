using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Planning;

namespace Bootstrapper.Engine.Pipeline;

/// <summary>
/// The download phase: every planned package into the cache, hash-checked. When some cannot be had, the error
/// names each of them in one message (a locked package may be gone from the mirror while still in the cache, or
/// the other way round), instead of stopping at the first 404; a mirror that is down ends the build at its first error.
/// </summary>
internal static class PackageDownload
{
    /// <param name="packages">The plan's packages in the order to fetch them.</param>
    /// <param name="files">Told of each verified file at once (the install streams from it), or of the failure.</param>
    public static async Task<IReadOnlyDictionary<PlannedPackage, string>> FetchAllAsync(BuildSession session,
        IReadOnlyList<PlannedPackage> packages, PackageFileCheck check, PackageFiles? files, CancellationToken ct)
    {
        try
        {
            return await FetchAllAsync(session, packages, check, files is null ? null : files.Deliver, ct).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            files?.Fail(e);
            throw;
        }
    }

    private static async Task<IReadOnlyDictionary<PlannedPackage, string>> FetchAllAsync(BuildSession session,
        IReadOnlyList<PlannedPackage> packages, PackageFileCheck check, Action<PlannedPackage, string>? verified,
        CancellationToken ct)
    {
        var options = session.Options;
        if (StalePartFiles.Sweep(session.PackageCache, DateTime.UtcNow) is > 0 and var stale)
            session.Reporter.Verbose($"removed {stale} temporary download file(s) a killed build left in {session.PackageCache}");
        var fetcher = new PackageFetcher(session.Downloader, session.PackageCache, session.Reporter,
            options.DownloadParallelism, options.Offline, check);
        try
        {
            return await fetcher.FetchAsync(packages, ct, verified).ConfigureAwait(false);
        }
        catch (FetchException first) when (!options.Offline) // offline, the fetcher already lists every missing one
        {
            // Whatever the parallel run got is in the cache now; try the rest one by one to name every one missing.
            var missing = new List<string>();
            foreach (var p in packages)
            {
                if (fetcher.CheckCached(p).Valid) continue;
                var url = p.RepositoryUrl.TrimEnd('/') + "/" + p.Filename;
                // Only a missing file (null) is listed: a FetchException here is a mirror that cannot be reached or
                // stalls, which every further package would wait for too (this pass once ran for minutes); it ends the build.
                if (await session.Downloader.TryDownloadAsync(url, fetcher.CachePath(p), p.Size, p.Sha256,
                        cancellationToken: ct, verify: fetcher.VerifyDownload(p)).ConfigureAwait(false) is null)
                    missing.Add($"{p.Name} {p.Version} ({p.Architecture}): not on the mirror ({url}) and not in the cache");
            }
            if (missing.Count == 0) throw;
            var locked = options.Locked is null ? "" :
                " The lock pins files the mirror no longer has: build from a bundle or a cache that holds them, or update " +
                "the lock with `bootstrap lock`.";
            throw new FetchException(
                $"{missing.Count} package(s) could not be fetched:\n  {string.Join("\n  ", missing)}\n" +
                $"Cache: {session.PackageCache}.{locked}", first);
        }
    }
}
