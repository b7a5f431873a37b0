using Bootstrapper.Core.Alpine.Package;
using Bootstrapper.Core.Alpine.Resolution;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Locking;
using Bootstrapper.Core.Planning;
using Bootstrapper.Engine.Families.Shared;
using Bootstrapper.Engine.Net.Mirrors;
using Bootstrapper.Engine.Pipeline;

namespace Bootstrapper.Engine.Families.Alpine;

/// <summary>
/// The parts of the Alpine family's planning that scheduled and air-gapped rebuilds need: plans from a lock file,
/// and a mirror choice that keeps a bundle's original mirror in etc/apk/repositories.
/// </summary>
internal sealed partial class AlpineFamily
{
    /// <summary>
    /// The lock's packages, each matched to today's verified index entry with the same name, version and C: (Q1)
    /// when there is one. A package the indexes dropped (Alpine keeps one version per branch, so any upgrade drops
    /// the old one) is fetched from the same repository path on today's mirror, or found in the cache; its
    /// signature, datahash and C: are checked against the lock's Q1 exactly as for an indexed package.
    /// </summary>
    private static List<AlpinePlanned> PlanLocked(BuildSession session, LockFile lockFile,
        IReadOnlyList<AlpineRepository> repositories, IReadOnlyList<IndexInfo> indices, IReadOnlyList<string> world)
    {
        var recipe = session.Recipe;
        var source = session.Options.LockedPath ?? LockFile.PathFor(recipe);
        var locked = lockFile.ToPlan(recipe, source);
        var byChecksum = repositories.SelectMany(r => r.Index.Packages)
            .GroupBy(p => p.Checksum, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var packages = new List<AlpinePlanned>();
        foreach (var p in locked.Packages)
        {
            var q1 = p.IndexChecksum
                     ?? throw new RecipeException($"{source}: package {p.Name} has no \"q1\"; an Alpine package is " +
                                                  "verified by it. Write the lock again with `bootstrap lock`.");
            if (byChecksum.TryGetValue(q1, out var today) && today.Name == p.Name && today.Version == p.Version)
            {
                packages.Add(new AlpinePlanned(today, "locked"));
                continue;
            }
            var minimal = new ApkPackageInfo
            {
                Checksum = q1,
                Name = p.Name,
                Version = p.Version,
                Arch = p.Architecture,
                Size = p.Size,
                RepositoryUrl = CurrentRepository(repositories, p.RepositoryUrl),
            };
            packages.Add(new AlpinePlanned(minimal, "locked (no longer in the indexes)", FromLock: true, p.Filename));
        }
        session.Reporter.Verbose($"locked: {packages.Count} packages from {source}, " +
                                 $"{packages.Count(p => !p.FromLock)} still offered by today's indexes");
        foreach (var warning in LockedOrder.SignerChanges(lockFile.Indices, indices, (url, _) => RepositoryTail(url)))
            session.Reporter.Warning(warning);
        var indexes = repositories.Select(r => r.Index).ToList();
        var byPlanned = packages.ToDictionary(p => p.Planned);
        return LockedOrder.InResolverOrder(packages.Select(p => p.Planned).ToList(),
                () => ApkResolver.Resolve(indexes, world).Select(r => r.Package.Name))
            .Select(p => byPlanned[p]).ToList();
    }

    /// <summary>
    /// The lock records each package's repository directory (MIRROR/BRANCH/REPO/ARCH) as it was; today's mirror may
    /// differ (another host, a bundle). The recipe repository with the same BRANCH/REPO/ARCH tail gives today's.
    /// </summary>
    private static string CurrentRepository(IReadOnlyList<AlpineRepository> repositories, string lockedRepository)
    {
        var trimmed = lockedRepository.TrimEnd('/');
        foreach (var r in repositories)
            if (trimmed.EndsWith("/" + RepositoryTail(r.Index.Source), StringComparison.Ordinal))
                return r.Index.Source[..r.Index.Source.LastIndexOf('/')];
        return trimmed;
    }

    /// <summary>".../v3.23/main/x86_64/APKINDEX.tar.gz" -> "v3.23/main/x86_64": a repository whatever its mirror.</summary>
    internal static string RepositoryTail(string indexUrl)
    {
        var parts = indexUrl.Split('/');
        return parts.Length < 4 ? indexUrl : string.Join('/', parts[^4..^1]);
    }

    /// <summary>
    /// Each source's mirror. A file:// bundle written by `bootstrap fetch --bundle` records where its branches came
    /// from: unless the recipe names a mirror, etc/apk/repositories names that one, never the bundle path.
    /// </summary>
    private static async Task<List<MirrorChoice>> ChooseMirrorsAsync(BuildSession session, CancellationToken ct)
    {
        var resolver = new MirrorResolver(session.Options.Environment, [], (_, _, _) => Task.FromResult(MirrorProbe.Usable));
        var result = new List<MirrorChoice>();
        foreach (var unused in session.Options.Mirrors.UnusedBy(session.Recipe.Name, session.Recipe.Sources))
            session.Reporter.Warning(unused);
        for (int i = 0; i < session.Recipe.Sources.Count; i++)
        {
            var source = session.Recipe.Sources[i];
            var choice = BundleOrigin.ForImage(await resolver.ChooseAsync(source, i, session.Options.Mirrors, ct).ConfigureAwait(false), source);
            if (BundleOrigin.ImageNamesLocalPath(choice))
                session.Reporter.Warning($"{source.Suite}: the image's etc/apk/repositories will name {choice.ImageUrl}, a path " +
                                         "on this machine: it is not a bundle written by `bootstrap fetch --bundle` and the recipe names no mirror");
            result.Add(choice);
        }
        return result;
    }
}
