using Bootstrapper.Core.Alpine.Index;
using Bootstrapper.Core.Alpine.Package;
using Bootstrapper.Core.Alpine.Resolution;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Images.Sbom;
using Bootstrapper.Core.Locking;
using Bootstrapper.Core.Planning;
using Bootstrapper.Engine.Net.Bundles;
using Bootstrapper.Engine.Net.Mirrors;
using Bootstrapper.Engine.Pipeline;

namespace Bootstrapper.Engine.Families.Alpine;

/// <summary>
/// The parts of the Alpine family that scheduled and air-gapped rebuilds need: plans from a lock file, a mirror
/// choice that keeps a bundle's original mirror in etc/apk/repositories, bundles of the signed APKINDEX files, and
/// licences from the index's L: field.
/// </summary>
internal sealed partial class AlpineFamily
{
    /// <summary>Extra key marking a locked package that today's indexes no longer list: its index entry is read
    /// from its own .PKGINFO once the file is verified against the lock's Q1.</summary>
    private const string FromLockKey = "apk.fromLock";

    /// <summary>
    /// The lock's packages, each matched to today's verified index entry with the same name, version and C: (Q1)
    /// when there is one. A package the indexes dropped (Alpine keeps one version per branch, so any upgrade drops
    /// the old one) is fetched from the same repository path on today's mirror, or found in the cache; its
    /// signature, datahash and C: are checked against the lock's Q1 exactly as for an indexed package.
    /// </summary>
    private Plan PlanLocked(BuildSession session, LockFile lockFile, IReadOnlyList<ApkRepositoryIndex> indexes,
        IReadOnlyList<string> world, IReadOnlyList<IndexInfo> indices, IReadOnlyDictionary<string, string> imageRepos)
    {
        var recipe = session.Recipe;
        var source = session.Options.LockedPath ?? LockFile.PathFor(recipe);
        var locked = lockFile.ToPlan(recipe, source);
        var byChecksum = indexes.SelectMany(ix => ix.Packages)
            .GroupBy(p => p.Checksum, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var packages = new List<PlannedPackage>();
        foreach (var p in locked.Packages)
        {
            var q1 = p.Extra.GetValueOrDefault(LockFile.Q1ExtraKey)
                     ?? throw new RecipeException($"{source}: package {p.Name} has no \"q1\"; an Alpine package is " +
                                                  "verified by it. Write the lock again with `bootstrap lock`.");
            if (byChecksum.TryGetValue(q1, out var today) && today.Name == p.Name && today.Version == p.Version)
            {
                packages.Add(Planned(today, "locked", imageRepos));
                continue;
            }
            var repository = CurrentRepository(p.RepositoryUrl);
            var minimal = new ApkPackageInfo
            {
                Checksum = q1,
                Name = p.Name,
                Version = p.Version,
                Arch = p.Architecture,
                Size = p.Size,
                RepositoryUrl = repository,
            };
            var planned = Planned(minimal, "locked (no longer in the indexes)", imageRepos);
            packages.Add(planned with
            {
                Filename = p.Filename,
                Extra = new Dictionary<string, string>(planned.Extra) { [FromLockKey] = "1" },
            });
        }
        var offered = packages.Count(p => !p.Extra.ContainsKey(FromLockKey));
        session.Reporter.Verbose($"locked: {packages.Count} packages from {source}, {offered} still offered by today's indexes");
        foreach (var warning in SignerChanges(lockFile, indices)) session.Reporter.Warning(warning);
        return new Plan { Recipe = recipe, Indices = indices, Packages = InResolverOrder(packages, indexes, world) };
    }

    /// <summary>
    /// The lock records each package's repository directory (MIRROR/BRANCH/REPO/ARCH) as it was; today's mirror may
    /// differ (another host, a bundle). The recipe repository with the same BRANCH/REPO/ARCH tail gives today's.
    /// </summary>
    private string CurrentRepository(string lockedRepository)
    {
        var trimmed = lockedRepository.TrimEnd('/');
        foreach (var (index, _, _, _, _) in _indexes)
            if (trimmed.EndsWith("/" + RepositoryTail(index.Source), StringComparison.Ordinal))
                return index.Source[..index.Source.LastIndexOf('/')];
        return trimmed;
    }

    /// <summary>
    /// apk installs in its changeset order (dependencies first), and the order decides which package's scripts see
    /// which files and which creates a shared directory first. A locked build takes the order apk's resolver gives
    /// today's indexes for the recipe's world, so from the same indexes it equals the unlocked build's order (and
    /// image); packages the resolver no longer picks follow, by name.
    /// </summary>
    private static IReadOnlyList<PlannedPackage> InResolverOrder(List<PlannedPackage> packages,
        IReadOnlyList<ApkRepositoryIndex> indexes, IReadOnlyList<string> world)
    {
        Dictionary<string, int> position;
        try
        {
            position = ApkResolver.Resolve(indexes, world).Select((r, i) => (r.Package.Name, i))
                .ToDictionary(t => t.Name, t => t.i, StringComparer.Ordinal);
        }
        catch (ResolutionException)
        {
            return packages; // today's indexes do not resolve: the lock's (name) order
        }
        return packages.OrderBy(p => position.GetValueOrDefault(p.Name, int.MaxValue))
            .ThenBy(p => p.Name, StringComparer.Ordinal).ToList();
    }

    private static IEnumerable<string> SignerChanges(LockFile lockFile, IReadOnlyList<IndexInfo> today) =>
        from old in lockFile.Indices
        join now in today on RepositoryTail(old.Url) equals RepositoryTail(now.Url)
        where old.SignedBy.Count > 0 && !old.SignedBy.Intersect(now.SignedBy, StringComparer.Ordinal).Any()
        select $"{RepositoryTail(old.Url)}: the lock recorded an index signed by {string.Join(", ", old.SignedBy)}, " +
               $"today's is signed by {string.Join(", ", now.SignedBy)}";

    /// <summary>".../v3.23/main/x86_64/APKINDEX.tar.gz" -> "v3.23/main/x86_64": a repository whatever its mirror.</summary>
    private static string RepositoryTail(string indexUrl)
    {
        var parts = indexUrl.Split('/');
        return parts.Length < 4 ? indexUrl : string.Join('/', parts[^4..^1]);
    }

    /// <summary>
    /// The entry to install a planned package with: the index's stanza from the plan, or, for a locked package
    /// today's indexes dropped, the package's own .PKGINFO after its signature and the lock's Q1 verified.
    /// </summary>
    private static async Task<ApkPackageInfo> InstallInfoAsync(PlannedPackage p, string file, ApkKeyring keyring,
        CancellationToken ct)
    {
        var stanza = ApkIndex.Parse(p.Extra[IndexStanzaKey], $"plan ({p.Name})").Single();
        if (!p.Extra.ContainsKey(FromLockKey)) return stanza;
        var contents = ApkPackageFile.Verify(await File.ReadAllBytesAsync(file, ct).ConfigureAwait(false), keyring, stanza, file);
        return ApkPkgInfo.ToPackageInfo(contents, p.Size, file);
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
            var choice = await resolver.ChooseAsync(source, i, session.Options.Mirrors, ct).ConfigureAwait(false);
            if (string.IsNullOrEmpty(source.Mirror) && BundleMetadata.LocalPath(choice.FetchUrl) is { } local
                && BundleMetadata.TryRead(local)?.OriginalMirrors.GetValueOrDefault(source.Suite) is { } original)
                choice = choice with { ImageUrl = original.TrimEnd('/') };
            if (BundleMetadata.LocalPath(choice.ImageUrl) is not null)
                session.Reporter.Warning($"{source.Suite}: the image's etc/apk/repositories will name {choice.ImageUrl}, a path " +
                                         "on this machine: it is not a bundle written by `bootstrap fetch --bundle` and the recipe names no mirror");
            result.Add(choice);
        }
        return result;
    }

    /// <summary>Each repository's signed APKINDEX.tar.gz, byte for byte as verified, at BRANCH/REPO/ARCH/.</summary>
    public IReadOnlyList<BundleSuite> BundleSuites(BuildSession session) =>
        _indexes.Select(x =>
        {
            if (x.Cached is null || !File.Exists(x.Cached))
                throw new FetchException($"{x.IndexUrl}: verified, but its cached copy is gone (another build pruned the " +
                                         "cache?); run the fetch again");
            var mirror = _mirrors[session.Recipe.Sources.ToList().FindIndex(s => s.Suite == x.Branch)];
            return new BundleSuite(x.Branch, mirror.ImageUrl, [("APKINDEX.tar.gz", x.Cached)], [])
            {
                Folder = $"{x.Branch}/{x.Repository}/{session.Recipe.Architecture}",
            };
        }).ToList();

    /// <summary>BRANCH/REPO/ARCH/NAME-VERSION.apk: the package beside its repository's index.</summary>
    public string BundlePath(PlannedPackage package)
    {
        foreach (var (index, _, _, _, _) in _indexes)
        {
            var dir = index.Source[..index.Source.LastIndexOf('/')];
            if (string.Equals(dir, package.RepositoryUrl.TrimEnd('/'), StringComparison.Ordinal))
                return $"{RepositoryTail(index.Source)}/{package.Filename}";
        }
        throw new FetchException($"{package.Name} {package.Version}: its repository {package.RepositoryUrl} is none of the " +
                                 "recipe's; cannot place it in the bundle");
    }

    /// <summary>The index's L: field (apk's SPDX-style licence), made a valid SPDX expression.</summary>
    public IReadOnlyDictionary<string, string> Licenses(Plan plan, string root)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in plan.Packages)
        {
            var declared = _installed.TryGetValue(p.Name, out var info)
                ? info.License
                : ApkIndex.Parse(p.Extra[IndexStanzaKey], $"plan ({p.Name})").Single().License;
            if (!string.IsNullOrWhiteSpace(declared)) result[p.Name] = SpdxLicense.Sanitize(declared);
        }
        return result;
    }
}
