using Bootstrapper.Core.Debian.Control;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Core.Debian.Resolution;

/// <summary>
/// Picks the package set apt would install into an empty system, the way mmdebstrap drives it (apt-pkg
/// depcache.cc MarkInstall with the internal solver, Recommends off):
/// <list type="number">
/// <item>Two phases, as mmdebstrap installs the Essential: yes set before everything else; in each phase all its
/// seeds are selected first (apt-get marks every requested package before following dependencies), then their
/// dependencies are followed seed by seed in apt's cache order.</item>
/// <item>Depth first: each Pre-Depends and Depends group not yet satisfied by a selected package is satisfied by
/// the first workable candidate, trying alternatives in the order written and, within one alternative, the
/// package of that name before providers, then Essential, Important, higher Priority, then the package apt's
/// cache created last (apt's CompareProviders). A package is selected before its own dependencies, so cycles
/// end.</item>
/// <item>A candidate is workable when it is not excluded, does not conflict (Conflicts or Breaks, in either
/// direction) with a selected package, and each of its own dependency groups has some candidate at all (apt's
/// one-level IsInstallOkDependenciesSatisfiableByCandidates).</item>
/// </list>
/// Like apt there is no general backtracking (one exception: see <see cref="Resolve"/>); a choice that later
/// turns out unsatisfiable is an error naming the chain.
/// </summary>
internal static class DebianResolver
{
    /// <summary>How many packages a resolution may set aside to get past conflicts before giving up.</summary>
    private const int MaxSetAside = 50;

    /// <remarks>
    /// When the only way to satisfy a dependency conflicts with a package that was pulled in earlier as a
    /// dependency (not requested), apt un-marks that package and lets its problem resolver pick another
    /// alternative for whoever needed it (e.g. pulseaudio | pipewire-pulse once something needs pipewire-audio).
    /// Here the resolution restarts with that package set aside (tried only after every other alternative); if
    /// that does not succeed, the first failure is reported.
    /// </remarks>
    public static DebianResolution Resolve(PackageUniverse universe, DebianResolveRequest request)
    {
        var setAside = new HashSet<string>(StringComparer.Ordinal);
        ResolutionException? firstFailure = null;
        while (true)
        {
            var run = new Run(universe, request, setAside);
            try
            {
                foreach (var phase in run.Phases())
                    run.ResolveDependencies(run.SelectSeeds(phase));
                return new DebianResolution(run.Selected);
            }
            catch (BlockedByDependency blocked)
            {
                firstFailure ??= blocked.Failure;
                if (setAside.Count >= MaxSetAside || !setAside.Add(blocked.Blocker)) throw firstFailure;
            }
            catch (ResolutionException) when (firstFailure is not null)
            {
                throw firstFailure;
            }
        }
    }

    /// <summary>A dependency failed only because of a conflict with <see cref="Blocker"/>, itself a dependency.</summary>
    private sealed class BlockedByDependency(string blocker, ResolutionException failure) : Exception(failure.Message)
    {
        public string Blocker { get; } = blocker;
        public ResolutionException Failure { get; } = failure;
    }

    private sealed class Run(PackageUniverse universe, DebianResolveRequest request, IReadOnlySet<string> setAside)
    {
        private readonly HashSet<string> _excluded = new(request.Exclude, StringComparer.Ordinal);
        private readonly Dictionary<string, ResolvedPackage> _byName = new(StringComparer.Ordinal);
        // Indexes over the selection, so a conflict check costs look-ups rather than a scan of every selected package.
        private readonly Dictionary<string, List<ResolvedPackage>> _selectedProviders = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<(string Field, Relation Relation, ResolvedPackage Owner)>> _negativeByTarget =
            new(StringComparer.Ordinal);
        public List<ResolvedPackage> Selected { get; } = [];

        /// <summary>Selects the seeds of one phase that are not selected yet; returns them.</summary>
        public List<DebianPackage> SelectSeeds(IEnumerable<(string Name, string Reason)> seeds)
        {
            var selected = new List<DebianPackage>();
            foreach (var (name, reason) in seeds)
            {
                if (_byName.ContainsKey(name)) continue;
                var package = universe.Find(name) ?? ResolveVirtualSeed(name, reason);
                if (_excluded.Contains(package.Name))
                {
                    if (reason == IncludeReason) throw DebianResolutionErrors.IncludedAndExcluded(package.Name);
                    continue;
                }
                if (_byName.ContainsKey(package.Name)) continue;
                if (FindConflict(package) is { } conflict)
                    throw DebianResolutionErrors.SeedConflict(package, reason, conflict.Description);
                Select(package, reason, requiredBy: null);
                selected.Add(package);
            }
            return selected;
        }

        /// <summary>Follows the dependencies of each seed, in the order apt-get does: its command line order.</summary>
        public void ResolveDependencies(List<DebianPackage> seeds)
        {
            foreach (var seed in seeds)
                InstallDependencies(seed, [seed.Name]);
        }

        private const string IncludeReason = "requested (include)";

        /// <summary>
        /// The two apt runs of mmdebstrap. One: the Essential: yes pattern (plus apt for the apt variant, which
        /// apt itself treats as essential). Two (run_install): the includes as given, build-essential, then one
        /// pattern for the variant's priorities; apt-get expands a pattern in its cache order.
        /// </summary>
        public IEnumerable<IEnumerable<(string Name, string Reason)>> Phases()
        {
            var variant = request.Variant;
            var aptReason = $"requested by variant {variant.Name()}";
            yield return InCacheOrder(universe.Packages
                .Where(p => p.Essential || (variant == DebianVariant.Apt && p.Name == "apt"))
                .Select(p => (p.Name, p.Essential ? "Essential: yes" : aptReason)));
            yield return SecondPhase(aptReason);
        }

        private IEnumerable<(string Name, string Reason)> SecondPhase(string aptReason)
        {
            var variant = request.Variant;
            foreach (var name in request.Include) yield return (name, IncludeReason);
            if (variant == DebianVariant.Buildd) yield return ("build-essential", "requested by variant buildd");
            var lowest = variant switch
            {
                DebianVariant.Minbase or DebianVariant.Buildd => PackagePriority.Required,
                DebianVariant.Important => PackagePriority.Important,
                DebianVariant.Standard => PackagePriority.Standard,
                _ => PackagePriority.None,
            };
            if (lowest != PackagePriority.None)
            {
                var byPriority = universe.Packages.Where(p => !p.Essential && p.Priority >= PackagePriority.Required && p.Priority <= lowest);
                foreach (var seed in InCacheOrder(byPriority.Select(p => (p.Name, $"Priority: {p.Priority.ToString().ToLowerInvariant()}"))))
                    yield return seed;
                // mmdebstrap(1): minbase and up contain apt. It is Priority: required in Debian (then the pattern
                // already selected it); in a release where it is not, it is requested here.
                yield return ("apt", aptReason);
            }
        }

        private IEnumerable<(string Name, string Reason)> InCacheOrder(IEnumerable<(string Name, string Reason)> seeds) =>
            seeds.OrderBy(s => universe.AptCacheRank(s.Name)).ThenBy(s => s.Name, StringComparer.Ordinal);

        /// <summary>apt-get install of a virtual name works only when exactly one package provides it.</summary>
        private DebianPackage ResolveVirtualSeed(string name, string reason)
        {
            var providers = universe.ProvidersOf(name).Select(p => p.Package).Distinct().ToList();
            return providers.Count switch
            {
                1 => providers[0],
                0 => throw DebianResolutionErrors.SeedNotFound(name, reason),
                _ => throw DebianResolutionErrors.SeedIsVirtual(name, reason, providers),
            };
        }

        private void Select(DebianPackage package, string reason, string? requiredBy)
        {
            var resolved = new ResolvedPackage(package, reason, requiredBy);
            _byName[package.Name] = resolved;
            Selected.Add(resolved);
            foreach (var provided in package.Provides)
                Add(_selectedProviders, provided.Name, resolved);
            foreach (var (field, relation) in NegativeRelations(package))
                Add(_negativeByTarget, relation.Name, (field, relation, resolved));
        }

        private static void Add<T>(Dictionary<string, List<T>> index, string key, T value)
        {
            if (!index.TryGetValue(key, out var list)) index[key] = list = new List<T>(1);
            list.Add(value);
        }

        private IEnumerable<(string Field, Relation Relation)> NegativeRelations(DebianPackage package)
        {
            foreach (var (field, groups) in new[] { ("Conflicts", package.Conflicts), ("Breaks", package.Breaks) })
                foreach (var group in groups)
                    foreach (var relation in group.Alternatives)
                        if (relation.AppliesTo(universe.NativeArchitecture))
                            yield return (field, relation);
        }

        private void InstallDependencies(DebianPackage package, List<string> chain)
        {
            foreach (var (field, group) in DependencyGroups(package))
            {
                if (group.Alternatives.Any(alt => universe.Satisfying(alt).Any(p => _byName.ContainsKey(p.Name))))
                    continue;
                var rejected = new List<string>();
                string? blocker = null;
                DebianPackage? choice = null;
                foreach (var candidate in Candidates(group))
                {
                    if (WhyNot(candidate) is { } why)
                    {
                        rejected.Add(why.Description);
                        if (why.ConflictsWith is { RequiredBy: not null } selected) blocker ??= selected.Package.Name;
                        continue;
                    }
                    choice = candidate;
                    break;
                }
                if (choice is null)
                {
                    var failure = DebianResolutionErrors.Unsatisfiable(universe, package, field, group, rejected, chain, _excluded);
                    if (blocker is not null) throw new BlockedByDependency(blocker, failure);
                    throw failure;
                }
                Select(choice, $"dependency of {package.Name} ({field}: {group})", package.Name);
                chain.Add(choice.Name);
                InstallDependencies(choice, chain);
                chain.RemoveAt(chain.Count - 1);
            }
        }

        /// <summary>Pre-Depends before Depends, as apt lists them; groups restricted away from this architecture are dropped.</summary>
        private IEnumerable<(string Field, RelationGroup Group)> DependencyGroups(DebianPackage package)
        {
            foreach (var (field, groups) in new[] { ("Pre-Depends", package.PreDepends), ("Depends", package.Depends) })
                foreach (var group in groups)
                {
                    var applicable = group.Alternatives.Where(a => a.AppliesTo(universe.NativeArchitecture)).ToList();
                    if (applicable.Count == 0) continue;
                    yield return (field, applicable.Count == group.Alternatives.Count ? group : new RelationGroup(applicable));
                }
        }

        /// <summary>
        /// Alternatives in written order; within one, apt's provider ranking. The usr-is-merged rule goes first,
        /// packages set aside to get past a conflict go last.
        /// </summary>
        private List<DebianPackage> Candidates(RelationGroup group)
        {
            var result = new List<DebianPackage>();
            foreach (var alternative in group.Alternatives)
            {
                var satisfying = universe.Satisfying(alternative);
                satisfying.Sort(new ProviderRanking(alternative.Name, universe));
                foreach (var p in satisfying)
                    if (!result.Contains(p)) result.Add(p);
            }
            if (request.PreferUsrIsMerged)
            {
                int i = result.FindIndex(p => p.Name == DebianResolveRequest.UsrIsMerged);
                if (i > 0)
                {
                    var preferred = result[i];
                    result.RemoveAt(i);
                    result.Insert(0, preferred);
                }
            }
            if (setAside.Count > 0 && result.Any(p => setAside.Contains(p.Name)))
                result = [.. result.Where(p => !setAside.Contains(p.Name)), .. result.Where(p => setAside.Contains(p.Name))];
            return result;
        }

        /// <summary>Null when the candidate can be selected, else why not (and the selected package it conflicts with).</summary>
        private Conflict? WhyNot(DebianPackage candidate)
        {
            if (_excluded.Contains(candidate.Name)) return new($"{candidate.Name} is excluded", null);
            if (FindConflict(candidate) is { } conflict) return conflict;
            foreach (var (field, group) in DependencyGroups(candidate))
                if (!group.Alternatives.Any(alt => universe.Satisfying(alt).Any(p => !_excluded.Contains(p.Name))))
                    return new($"{candidate.Name} {candidate.Version} {DebianResolutionErrors.Verb(field)} {group}, which cannot be met " +
                               $"({string.Join("; ", DebianResolutionErrors.Explain(universe, group, _excluded))})", null);
            return null;
        }

        private sealed record Conflict(string Description, ResolvedPackage? ConflictsWith);

        /// <summary>A Conflicts or Breaks between <paramref name="candidate"/> and a selected package; else null.</summary>
        private Conflict? FindConflict(DebianPackage candidate)
        {
            foreach (var (field, relation) in NegativeRelations(candidate))
            {
                var hit = _byName.GetValueOrDefault(relation.Name) is { } real && Hits(relation, real, candidate)
                    ? real
                    : _selectedProviders.GetValueOrDefault(relation.Name)?.FirstOrDefault(p => Hits(relation, p, candidate));
                if (hit is not null)
                    return new($"{candidate.Name} {candidate.Version} {field.ToLowerInvariant()} with {hit.Package.Name} " +
                               $"{hit.Package.Version} ({field}: {relation}), which is selected as {hit.Reason}", hit);
            }
            foreach (var name in candidate.Provides.Select(p => p.Name).Prepend(candidate.Name))
                foreach (var (field, relation, owner) in _negativeByTarget.GetValueOrDefault(name) ?? [])
                    if (owner.Package != candidate && PackageUniverse.Matches(relation, candidate))
                        return new($"selected {owner.Package.Name} {owner.Package.Version} ({owner.Reason}) " +
                                   $"{field.ToLowerInvariant()} with {candidate.Name} {candidate.Version} ({field}: {relation})", owner);
            return null;
        }

        /// <summary>A package never conflicts with itself (the Conflicts + Provides idiom of virtual packages).</summary>
        private static bool Hits(Relation relation, ResolvedPackage selected, DebianPackage candidate) =>
            selected.Package != candidate && PackageUniverse.Matches(relation, selected.Package);
    }
}
