using Bootstrapper.Core.Debian.Control;
using Bootstrapper.Core.Debian.Resolution;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Locking;
using Bootstrapper.Core.Planning;
using Bootstrapper.Engine.Families.Debian.Repository;
using Bootstrapper.Engine.Families.Shared;
using Bootstrapper.Engine.Net.Mirrors;
using Bootstrapper.Engine.Pipeline;

namespace Bootstrapper.Engine.Families.Debian;

/// <summary>
/// The parts of the Debian family's planning that scheduled and air-gapped rebuilds need: plans from a lock file,
/// and a mirror choice that keeps a bundle's original mirror in the image.
/// </summary>
internal sealed partial class DebianFamily
{
    /// <summary>
    /// The lock's packages, fetched from the mirrors chosen now. The essential set (installed first) is what today's
    /// indices call essential, restricted to the locked names: the lock does not record Essential itself.
    /// </summary>
    private static (Plan Plan, IReadOnlySet<string> Essential) PlanLocked(BuildSession session, LockFile lockFile,
        PackageUniverse universe, DebianResolveRequest request, List<MirrorChoice> mirrors, IReadOnlyList<DebianRepositoryIndex> indices)
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
        foreach (var warning in LockedOrder.SignerChanges(lockFile.Indices, fresh.Indices, (_, suite) => $"suite {suite}"))
            session.Reporter.Warning(warning);

        var locked = plan.Packages.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        HashSet<string> essential;
        try
        {
            essential = DebianResolver.Resolve(universe, request with { Variant = DebianVariant.Essential, Include = [] })
                .Names.Where(locked.Contains).ToHashSet(StringComparer.Ordinal);
        }
        catch (ResolutionException)
        {
            essential = universe.Packages.Where(p => p.Essential && locked.Contains(p.Name)).Select(p => p.Name)
                .ToHashSet(StringComparer.Ordinal);
        }
        session.Reporter.Verbose($"locked: {plan.Packages.Count} packages from {source}, " +
                                 $"{plan.Packages.Count(p => p.Reason == "locked")} still offered by today's indices");
        var ordered = LockedOrder.InResolverOrder(plan.Packages, () => DebianResolver.Resolve(universe, request).Names);
        return (plan with { Packages = ordered }, essential);
    }

    /// <summary>
    /// The mirror of one source. A file:// bundle written by `bootstrap fetch --bundle` records where its suites
    /// came from: unless the recipe names a mirror, the image's apt sources name that one, never the bundle path.
    /// </summary>
    private static async Task<MirrorChoice> ChooseMirrorAsync(MirrorResolver resolver, DebianRepositoryClient client,
        BuildSession session, int i, CancellationToken ct)
    {
        var source = session.Recipe.Sources[i];
        if (SnapshotMirror.For(session.Snapshot, session.Options.SnapshotUrl, session.Options.Environment,
                session.Options.MirrorOverride, source) is { } snapshot)
            return snapshot;
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
        choice = BundleOrigin.ForImage(choice, source);
        // The image's apt sources must name a mirror its users reach (FinalizeAptSources refuses a path): a build says
        // so now, before downloading and installing; plan, lock and fetch only warn.
        if (BundleOrigin.ImageNamesLocalPath(choice) && session.BuildsImage)
            throw new RecipeException($"{source.Suite}: the mirror {choice.FetchUrl} is a path on this machine and records no " +
                                      "original mirror (it is not a bundle written by `bootstrap fetch --bundle`), so the image's " +
                                      $"apt sources would name a path; add mirror = \"URL\" (the mirror users of the image reach) " +
                                      $"to the recipe's [[sources]] entry for {source.Suite}, or build from a bundle");
        if (BundleOrigin.ImageNamesLocalPath(choice))
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
}
