using Bootstrapper.Core.Debian.Control;
using Bootstrapper.Core.Debian.Resolution;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Locking;
using Bootstrapper.Core.Planning;
using Bootstrapper.Engine.Families.Debian.Finalize;
using Bootstrapper.Engine.Families.Debian.Repository;
using Bootstrapper.Engine.Net.Bundles;
using Bootstrapper.Engine.Net.Mirrors;
using Bootstrapper.Engine.Pipeline;

namespace Bootstrapper.Engine.Families.Debian;

/// <summary>
/// The parts of the Debian family that scheduled and air-gapped rebuilds need: plans from a lock file, mirror
/// choice that keeps a bundle's original mirror in the image, bundles of the verified indices, and licences.
/// </summary>
internal sealed partial class DebianFamily
{
    /// <summary>
    /// The lock's packages, fetched from the mirrors chosen now. The essential set (installed first) is what today's
    /// indices call essential, restricted to the locked names: the lock does not record Essential itself.
    /// </summary>
    private Plan PlanLocked(BuildSession session, LockFile lockFile, PackageUniverse universe,
        DebianResolveRequest request, List<MirrorChoice> mirrors, IReadOnlyList<DebianRepositoryIndex> indices)
    {
        var recipe = session.Recipe;
        var source = session.Options.LockedPath ?? LockFile.PathFor(recipe);
        var offered = lockFile.Packages
            .Select(p => universe.Find(p.Name))
            .OfType<DebianPackage>()
            .Select(p => new ResolvedPackage(p, "offered", null).ToPlannedPackage())
            .ToList();
        var fresh = new Plan { Recipe = recipe, Packages = offered, Indices = indices.Select(i => i.Info).ToList() };
        var plan = LockedPlan.Create(lockFile, source, fresh, (repository, suite) =>
        {
            var index = suite is null ? -1 : recipe.Sources.ToList().FindIndex(s => s.Suite == suite);
            return index >= 0 ? mirrors[index].FetchUrl : repository;
        });
        foreach (var warning in LockedPlan.SignerChanges(lockFile, fresh)) session.Reporter.Warning(warning);

        var locked = plan.Packages.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        try
        {
            var essential = DebianResolver.Resolve(universe, request with { Variant = DebianVariant.Essential, Include = [] });
            _essentialSet = essential.Names.Where(locked.Contains).ToHashSet(StringComparer.Ordinal);
        }
        catch (ResolutionException)
        {
            _essentialSet = universe.Packages.Where(p => p.Essential && locked.Contains(p.Name)).Select(p => p.Name)
                .ToHashSet(StringComparer.Ordinal);
        }
        session.Reporter.Verbose($"locked: {plan.Packages.Count} packages from {source}, " +
                                 $"{plan.Packages.Count(p => p.Reason == "locked")} still offered by today's indices");
        return plan with { Packages = InResolverOrder(plan.Packages, universe, request) };
    }

    /// <summary>
    /// The installer unpacks in plan order, and which package creates a shared directory first decides its mtime in
    /// the image. So a locked build takes the order the resolver gives today's indices (for the same indices: the
    /// unlocked build's order, hence the same image), with packages it no longer picks after them by name.
    /// </summary>
    private static IReadOnlyList<PlannedPackage> InResolverOrder(IReadOnlyList<PlannedPackage> packages,
        PackageUniverse universe, DebianResolveRequest request)
    {
        Dictionary<string, int> position;
        try
        {
            position = DebianResolver.Resolve(universe, request).Names.Select((n, i) => (n, i))
                .ToDictionary(t => t.n, t => t.i, StringComparer.Ordinal);
        }
        catch (ResolutionException)
        {
            return packages; // today's indices do not resolve: the lock's (name) order
        }
        return packages.OrderBy(p => position.GetValueOrDefault(p.Name, int.MaxValue))
            .ThenBy(p => p.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The mirror of one source. A file:// bundle written by `bootstrap fetch --bundle` records where its suites
    /// came from: unless the recipe names a mirror, the image's apt sources name that one, never the bundle path.
    /// </summary>
    private static async Task<MirrorChoice> ChooseMirrorAsync(MirrorResolver resolver, DebianRepositoryClient client,
        BuildSession session, int i, CancellationToken ct)
    {
        var source = session.Recipe.Sources[i];
        if (SnapshotMirror.For(session, source) is { } snapshot) return snapshot;
        MirrorChoice choice;
        try
        {
            choice = await resolver.ChooseAsync(source, i, session.Options.Mirrors, ct).ConfigureAwait(false);
        }
        catch (BootstrapException) when (client.ExpiredMirror(source.Suite) is { } expired)
        {
            // A host mirror serves the suite, signed, but past its Valid-Until (sid, testing): its fetch fails with
            // the message that says how to accept it, rather than "no mirror".
            choice = new MirrorChoice(expired, expired, "host apt sources");
        }
        catch (BootstrapException e) when (session.Options.Offline)
        {
            throw new BootstrapException(e.ExitCode, e.Message + " With --offline only the host sources whose InRelease is in the " +
                                                  $"cache ({session.Options.CacheDirectory}) are candidates: run once online with this cache, " +
                                                  "or build from a bundle with --mirror file://BUNDLE.", e);
        }
        if (string.IsNullOrEmpty(source.Mirror) && BundleMetadata.LocalPath(choice.FetchUrl) is { } local
            && BundleMetadata.TryRead(local)?.OriginalMirrors.GetValueOrDefault(source.Suite) is { } original)
            choice = choice with { ImageUrl = original.TrimEnd('/') };
        // The image's apt sources must name a mirror its users reach (FinalizeAptSources refuses a path): a build says
        // so now, before downloading and installing; plan, lock and fetch only warn.
        if (BundleMetadata.LocalPath(choice.ImageUrl) is not null && session.BuildsImage)
            throw new RecipeException($"{source.Suite}: the mirror {choice.FetchUrl} is a path on this machine and records no " +
                                      "original mirror (it is not a bundle written by `bootstrap fetch --bundle`), so the image's " +
                                      $"apt sources would name a path; add mirror = \"URL\" (the mirror users of the image reach) " +
                                      $"to the recipe's [[sources]] entry for {source.Suite}, or build from a bundle");
        if (BundleMetadata.LocalPath(choice.ImageUrl) is not null)
            session.Reporter.Warning($"{source.Suite}: the image's apt sources will name {choice.ImageUrl}, a path on this machine: " +
                                     "it is not a bundle written by `bootstrap fetch --bundle` and the recipe names no mirror");
        return choice;
    }

    /// <summary>
    /// All sources' indices; when more than one fails (offline with a cold cache, a mirror that is down), one error
    /// lists each of them rather than only the first: each one's own error from the same parallel run (asking each
    /// again would wait for a dead mirror's timeouts twice).
    /// </summary>
    private static async Task<IReadOnlyList<DebianRepositoryIndex>> FetchIndicesAsync(DebianRepositoryClient client,
        List<DebianRepositoryRequest> requests, CancellationToken ct)
    {
        var fetches = requests.Select(r => client.FetchAsync(r, ct)).ToList();
        try
        {
            await Task.WhenAll(fetches).ConfigureAwait(false);
        }
        catch (FetchException first) when (requests.Count > 1)
        {
            var errors = fetches.Select(f => f.Exception?.InnerException).OfType<FetchException>().Select(e => e.Message).ToList();
            if (errors.Count <= 1) throw;
            throw new FetchException(
                $"{errors.Count} of {requests.Count} sources could not be fetched:\n  {string.Join("\n  ", errors)}", first);
        }
        return client.PruneAfter(fetches.Select(f => f.Result).ToList());
    }

    public IReadOnlyList<BundleSuite> BundleSuites(BuildSession session)
    {
        var cache = new RepositoryIndexCache(session.Options.CacheDirectory);
        return _indices.Select((ix, i) =>
        {
            // The client caches exactly the signed bytes it verified; they are copied, never re-encoded.
            var dir = cache.ReleaseDirectory(ix.Request.Root, ix.Request.Suite);
            var signed = ix.Info.Url.EndsWith("/InRelease", StringComparison.Ordinal)
                ? new[] { ("InRelease", Path.Combine(dir, "InRelease")) }
                : [("Release", Path.Combine(dir, "Release")), ("Release.gpg", Path.Combine(dir, "Release.gpg"))];
            foreach (var (name, path) in signed)
                if (!File.Exists(path))
                    throw new FetchException($"{ix.Request.DistsUrl}{name}: verified, but its cached copy {path} " +
                                                         "is gone (another build pruned the cache?); run the fetch again");
            var files = new List<(string, string)>();
            foreach (var c in ix.Components)
            {
                var (entry, cached) = BundledIndex(cache, ix.Release, c.Entry);
                files.Add((entry.Path, cached));
                // Acquire-By-Hash clients ask for the by-hash name first; a bundle must answer it too (the writer
                // hard-links the second name to the first).
                if (ix.Release.AcquireByHash)
                    files.Add(($"{Path.GetDirectoryName(entry.Path)}/by-hash/SHA256/{entry.Sha256}", cached));
            }
            return new BundleSuite(ix.Request.Suite, _imageSources[i].Url, signed, files);
        }).ToList();
    }

    /// <summary>
    /// The index a bundle carries for a component: the compressed one the Release names, when the cache has it (a
    /// plan may have read the decoded copy, ~50 MB for bookworm main against ~9 MB of .xz), else the one used.
    /// </summary>
    private static (ReleaseEntry Entry, string Cached) BundledIndex(RepositoryIndexCache cache, ReleaseFile release, ReleaseEntry used)
    {
        var directory = Path.GetDirectoryName(used.Path);
        foreach (var (fileName, extension) in RepositoryIndexDecoder.Candidates)
            if (release.Find($"{directory}/{fileName}") is { } entry && cache.TryGetBlob(entry.Sha256, extension, entry.Size) is { } path)
                return (entry, path);
        var usedExtension = Path.GetExtension(used.Path).TrimStart('.');
        return (used, cache.TryGetBlob(used.Sha256, usedExtension, used.Size)
                      ?? throw new FetchException($"{release.Source}: {used.Path} was verified, but its cached copy is gone; run the fetch again"));
    }

    public IReadOnlyDictionary<string, string> Licenses(Plan plan, string root) =>
        InstalledCopyrights.Licenses(root, plan.Packages.Select(p => p.Name));
}
