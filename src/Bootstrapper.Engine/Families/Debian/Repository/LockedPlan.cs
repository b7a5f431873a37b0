using Bootstrapper.Core.Locking;
using Bootstrapper.Core.Planning;

namespace Bootstrapper.Engine.Families.Debian.Repository;

/// <summary>
/// Turns a lock file into the plan of a `--locked` build. The lock says which files to install and how to check
/// them (size and SHA-256 come from the lock, never from today's index); today's verified indices only say where
/// those files are now (the mirror chosen for this run, perhaps a bundle) and add facts the lock does not carry
/// (priority, installed size, source name) for packages they still list unchanged.
/// </summary>
internal static class LockedPlan
{
    /// <param name="lockFile">The lock, already checked to belong to the recipe (<see cref="LockFile.ToPlan"/> does).</param>
    /// <param name="lockSourceName">Its path, for messages.</param>
    /// <param name="fresh">Today's plan: the recipe, the verified indices, and every package today's indices offer
    /// under the name (usually just the candidates), to borrow the facts a lock does not record from.</param>
    /// <param name="currentMirror">Maps the lock's repository URL and suite to the base URL to fetch from now.</param>
    public static Plan Create(LockFile lockFile, string lockSourceName, Plan fresh,
        Func<string, string?, string> currentMirror)
    {
        var locked = lockFile.ToPlan(fresh.Recipe, lockSourceName);
        var known = fresh.Packages
            .GroupBy(p => (p.Name, p.Architecture, p.Version, p.Sha256))
            .ToDictionary(g => g.Key, g => g.First());
        // A lock records the repository by base URL; its suite is known through the index list (the Release URL
        // is BASE/dists/SUITE/InRelease), which lets a suite move to another mirror on its own.
        var suiteOfRepository = lockFile.Indices
            .Select(i => (Root: RepositoryOf(i.Url), i.Suite))
            .Where(i => i.Root != null)
            .GroupBy(i => i.Root!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(i => i.Suite).ToList(), StringComparer.Ordinal);

        var packages = locked.Packages.Select(p =>
        {
            var suites = suiteOfRepository.GetValueOrDefault(p.RepositoryUrl.TrimEnd('/'));
            var url = currentMirror(p.RepositoryUrl, suites is { Count: 1 } ? suites[0] : null);
            var same = known.GetValueOrDefault((p.Name, p.Architecture, p.Version, p.Sha256));
            return p with
            {
                RepositoryUrl = same?.RepositoryUrl ?? url,
                Source = same?.Source ?? p.Source,
                InstalledSizeKiB = same?.InstalledSizeKiB ?? p.InstalledSizeKiB,
                Reason = same is null ? "locked (no longer in the indices)" : "locked",
            };
        }).ToList();
        return locked with { Packages = packages, Indices = fresh.Indices };
    }

    /// <summary>"http://m/debian/dists/bookworm/InRelease" -> "http://m/debian".</summary>
    public static string? RepositoryOf(string indexUrl)
    {
        var at = indexUrl.LastIndexOf("/dists/", StringComparison.Ordinal);
        return at < 0 ? null : indexUrl[..at];
    }
}
