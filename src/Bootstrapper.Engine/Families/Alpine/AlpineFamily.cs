using System.Runtime.Versioning;
using Bootstrapper.Core.Alpine.Resolution;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Planning;
using Bootstrapper.Engine.Pipeline;

namespace Bootstrapper.Engine.Families.Alpine;

/// <summary>
/// The Alpine family for the pipeline: every recipe source is a branch ("v3.23") whose components are
/// repositories ("main", "community"); the world is <c>packages.include</c>, and <c>packages.exclude</c> become
/// conflicts ("!name"). What the install needs from the planning (each package's index entry, the mirrors, the
/// keyring) is in the <see cref="AlpinePlan"/> it returns, so installing needs no index.
/// </summary>
[UnsupportedOSPlatform("windows")]
internal sealed partial class AlpineFamily : IDistroFamily
{
    public async Task<FamilyPlan> PlanAsync(BuildSession session, CancellationToken ct)
    {
        var recipe = session.Recipe;
        var keyring = ApkKeyringFiles.Load(session.Keyrings);
        var client = new AlpineRepositoryClient(session.Downloader, session.IndexCache, session.Options.Offline);
        var mirrors = await ChooseMirrorsAsync(session, ct).ConfigureAwait(false);
        var repositories = new List<AlpineRepository>();
        int order = 0;
        for (int i = 0; i < recipe.Sources.Count; i++)
        {
            var source = recipe.Sources[i];
            foreach (var repo in source.Components)
            {
                var index = await client.FetchAsync(mirrors[i].FetchUrl, source.Suite, repo, recipe.Architecture, keyring, order++, ct)
                    .ConfigureAwait(false);
                session.Reporter.Verbose($"{index.Source}: {index.Packages.Count} packages, signed by {index.SignedBy}");
                repositories.Add(new AlpineRepository(index, source.Suite, repo, client.CachedIndexPath(index.Source)));
            }
        }
        var indexes = repositories.Select(x => x.Index).ToList();
        var world = recipe.Packages.Include.Concat(recipe.Packages.Exclude.Select(e => "!" + e)).ToList();
        if (recipe.Packages.Include.Count == 0)
            throw new RecipeException("An Alpine recipe needs packages.include (the world), e.g. [\"alpine-base\"].");
        var indices = indexes.Select(x => new IndexInfo
        {
            Url = x.Source,
            Suite = x.Source,
            Date = x.Description,
            SignedBy = [x.SignedBy],
        }).ToList();
        var packages = session.Options.Locked is { } lockFile
            ? PlanLocked(session, lockFile, repositories, indices, world)
            : ApkResolver.Resolve(indexes, world).Select(r => new AlpinePlanned(r.Package, r.Reason)).ToList();
        return new AlpinePlan(new Plan { Recipe = recipe, Indices = indices, Packages = packages.Select(p => p.Planned).ToList() })
        {
            Mirrors = mirrors,
            Repositories = repositories,
            Keyring = keyring,
            Entries = packages.ToDictionary(p => p.Entry.Name, p => p.Entry, StringComparer.Ordinal),
            FromLock = packages.Where(p => p.FromLock).Select(p => p.Entry.Name).ToHashSet(StringComparer.Ordinal),
        };
    }
}
