using Bootstrapper.Core.Alpine.Index;
using Bootstrapper.Core.Alpine.Package;
using Bootstrapper.Core.Alpine.Versions;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Core.Alpine.Resolution;

/// <summary>A package chosen by the resolver and why (the first requirer: "world", "depends of X", "install_if").</summary>
internal sealed record ResolvedApk(ApkPackageInfo Package, string Reason);

/// <summary>
/// Resolves a fresh install (nothing installed yet) the way apk's solver chooses, for the cases a base image
/// meets: names and so:/cmd:/pc: provides are looked up alike; a name is provided once (by the package of that
/// name or by a versioned provide), virtual provides without version may coexist; the provider is chosen by
/// apk's compare_providers order for a fresh install: the highest version of the requested name, then of the
/// package's own name, then the highest provider_priority, then the earliest repository; a virtual provide
/// (no version) is only picked automatically when it declares provider_priority. <c>!name</c> conflicts exclude
/// providers; install_if packages are added when all their conditions hold. Choices are greedy; when one
/// breaks a later constraint the resolution restarts with that package set aside (bounded), and a final failure
/// reports the chain of requirers. Checked against apk-tools' fresh-install solver tests (ApkSolverVectorTests).
/// Output order is apk's changeset order: dependencies before their dependents, install_if packages right after
/// the last package that triggers them.
/// </summary>
internal sealed partial class ApkResolver
{
    private readonly Dictionary<string, List<(ApkPackageInfo Pkg, string? Version)>> _providers = new(StringComparer.Ordinal);
    private readonly List<ApkPackageInfo> _withInstallIf = [];

    private readonly Dictionary<string, (ApkPackageInfo Pkg, string? Version)> _chosen = new(StringComparer.Ordinal);
    private readonly List<ApkPackageInfo> _selected = [];
    private readonly Dictionary<ApkPackageInfo, string> _reason = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<ApkPackageInfo, ApkPackageInfo?> _parent = new(ReferenceEqualityComparer.Instance);
    private readonly List<(ApkDependency Dep, ApkPackageInfo? From)> _conflicts = [];
    private readonly HashSet<string> _worldNames = new(StringComparer.Ordinal);
    private Queue<(ApkDependency Dep, ApkPackageInfo? From)> _queue = new();

    /// <param name="packages">All packages of all repositories (order = repository priority).</param>
    /// <param name="architecture">When given, packages built for another architecture are ignored
    /// ("noarch" and an empty A: fit every architecture), as apk ignores them.</param>
    public ApkResolver(IEnumerable<ApkPackageInfo> packages, string? architecture = null)
    {
        foreach (var p in packages)
        {
            if (architecture is not null && p.Arch.Length > 0 && p.Arch != "noarch" && p.Arch != architecture) continue;
            Add(p.Name, p, p.Version);
            foreach (var prov in p.Provides)
                Add(prov.Name, p, prov.Version);
            if (p.InstallIf.Count > 0) _withInstallIf.Add(p);
        }
    }

    public static IReadOnlyList<ResolvedApk> Resolve(IEnumerable<ApkRepositoryIndex> indexes, IEnumerable<string> world)
        => new ApkResolver(indexes.SelectMany(i => i.Packages)).Resolve(world);

    /// <summary>Resolves <paramref name="world"/> (dependency strings like "alpine-base" or "busybox&gt;=1.36").</summary>
    public IReadOnlyList<ResolvedApk> Resolve(IEnumerable<string> world)
    {
        // apk's solver weighs all constraints before it commits; this one commits greedily, so when a choice
        // turns out to break a later constraint it starts over with that package set aside (a bounded
        // backtrack). The first failure's message is kept: it names the original conflict.
        var worldList = world.ToList();
        ResolutionException? first = null;
        for (int attempt = 0; ; attempt++)
        {
            Reset();
            try
            {
                return ResolveOnce(worldList);
            }
            catch (ResolutionException e)
            {
                first ??= e;
                // Already set aside and chosen again (nothing else fits): undo what pulled it in instead.
                var culprit = _culprit;
                while (culprit is not null && _banned.Contains(culprit)) culprit = _parent.GetValueOrDefault(culprit);
                if (culprit is null || attempt >= MaxAttempts) throw first;
                _banned.Add(culprit);
            }
        }
    }

    private const int MaxAttempts = 64;
    private readonly HashSet<ApkPackageInfo> _banned = new(ReferenceEqualityComparer.Instance);
    private ApkPackageInfo? _culprit;

    private void Reset()
    {
        _chosen.Clear();
        _selected.Clear();
        _reason.Clear();
        _parent.Clear();
        _conflicts.Clear();
        _worldNames.Clear();
        _queue = new();
        _culprit = null;
    }

    private IReadOnlyList<ResolvedApk> ResolveOnce(IEnumerable<string> world)
    {
        // apk keeps world sorted by name; processing in that order makes the result independent of recipe order.
        var deps = world.Select(w => ApkDependency.Parse(w, "world")).OrderBy(d => d.Name, StringComparer.Ordinal).ToList();
        foreach (var d in deps.Where(d => !d.IsConflict)) _worldNames.Add(d.Name);
        // Conflicts in world hold from the start, whatever the order of names.
        foreach (var d in deps.Where(d => d.IsConflict)) _conflicts.Add((d, null));
        var queue = _queue;
        foreach (var d in deps) queue.Enqueue((d, null));
        Drain(queue);
        // install_if: re-check until nothing new triggers (a triggered package may trigger others).
        bool added = true;
        while (added)
        {
            added = false;
            foreach (var group in _withInstallIf.GroupBy(p => p.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                if (_chosen.ContainsKey(group.Key)) continue;
                var triggered = group.Where(p => p.InstallIf.All(IsConditionMet) && Selectable(p)).ToList();
                if (triggered.Count == 0) continue;
                var pick = triggered.OrderByDescending(p => p, Comparer<ApkPackageInfo>.Create((a, b) => Compare(a, a.Version, b, b.Version, group.Key))).First();
                var trigger = pick.InstallIf.Where(c => !c.IsConflict).Select(c => _chosen[c.Name].Pkg).LastOrDefault();
                Select(pick, $"install_if ({string.Join(" ", pick.InstallIf)})", trigger);
                foreach (var d in pick.Depends) queue.Enqueue((d, pick));
                Drain(queue);
                added = true;
            }
        }
        return Order(deps);
    }

    private void Add(string name, ApkPackageInfo p, string? version)
    {
        if (!_providers.TryGetValue(name, out var list)) _providers[name] = list = [];
        list.Add((p, version));
    }

    private void Drain(Queue<(ApkDependency Dep, ApkPackageInfo? From)> queue)
    {
        var deferred = new HashSet<ApkDependency>();
        while (queue.TryDequeue(out var item))
        {
            var (dep, from) = item;
            if (dep.IsConflict)
            {
                // Registered when its package was selected (or from world); here only re-checked.
                if (_chosen.TryGetValue(dep.Name, out var c) && c.Pkg != from && !dep.IsSatisfiedBy(c.Version, c.Pkg.Checksum))
                    throw Fail(from, c.Pkg, $"conflicts with {c.Pkg} (rule '{dep}'), which is already selected" +
                                     ChainSuffix(c.Pkg));
                continue;
            }
            if (_chosen.TryGetValue(dep.Name, out var have))
            {
                if (!dep.IsSatisfiedBy(have.Version, have.Pkg.Checksum))
                    throw Fail(from, have.Pkg, $"needs '{dep}' but {have.Pkg} provides {dep.Name}" +
                                     (have.Version is null ? "" : "=" + have.Version) + ChainSuffix(have.Pkg));
                continue;
            }
            if (NeedsLaterChoice(dep) && queue.Any(q => !deferred.Contains(q.Dep)))
            {
                deferred.Add(dep);
                // Only virtual providers without priority so far: another requirer may still name one of them.
                queue.Enqueue(item);
                continue;
            }
            var pick = Choose(dep, from);
            Select(pick, from is null ? "world" : $"depends of {from.Name}", from);
            foreach (var d in pick.Depends) queue.Enqueue((d, pick));
        }
    }

    private ApkPackageInfo Choose(ApkDependency dep, ApkPackageInfo? from)
    {
        if (!_providers.TryGetValue(dep.Name, out var providers))
            throw Fail(from, $"needs '{dep}', which no package provides");
        var candidates = providers
            .Where(p => dep.IsSatisfiedBy(p.Version, p.Pkg.Checksum))
            .ToList();
        // Constraints on the same name still waiting in the queue (from packages already selected) narrow the
        // choice now, instead of failing later: apk merges all requirers' constraints before it picks.
        var pending = _queue.Where(q => !q.Dep.IsConflict && q.Dep.Name == dep.Name).Select(q => q.Dep).ToList();
        if (pending.Count > 0)
        {
            var narrowed = candidates.Where(c => pending.All(d => d.IsSatisfiedBy(c.Version, c.Pkg.Checksum))).ToList();
            if (narrowed.Count > 0) candidates = narrowed;
        }
        if (candidates.Count == 0)
            throw Fail(from, $"needs '{dep}', but the providers are {string.Join(", ", providers.Select(p => p.Pkg + (p.Pkg.Name == dep.Name ? "" : $" ({dep.Name}={p.Version ?? "virtual"})")))}");
        if (candidates.Any(c => !_banned.Contains(c.Pkg)))
            candidates = candidates.Where(c => !_banned.Contains(c.Pkg)).ToList();
        var usable = candidates.Where(p => Selectable(p.Pkg)).ToList();
        // When every candidate fails only because something deeper is missing, take it anyway: the walk then
        // fails at the missing name and the message shows the whole chain down to it.
        if (usable.Count == 0)
            usable = candidates.Where(p => WhyNot(p.Pkg, ignoreMissingDependencies: true) is null).ToList();
        if (usable.Count == 0)
            throw Fail(from, candidates.Select(c => Blocker(c.Pkg)).FirstOrDefault(b => b is not null) ?? from,
                $"needs '{dep}', but every provider is excluded: " +
                             string.Join("; ", candidates.Select(p => $"{p.Pkg}: {WhyNot(p.Pkg)}")));
        // A virtual provide (no version) needs provider_priority to be chosen automatically (is_provider_auto_selectable).
        // A package named in world is wanted anyway: it provides the name before anything else does, and it may be
        // picked for a virtual name even without provider_priority (its name has requirers, in apk's terms).
        var wanted = usable.Where(p => _worldNames.Contains(p.Pkg.Name)).ToList();
        if (wanted.Count > 0) usable = wanted;
        var auto = usable.Where(p => p.Version is not null || p.Pkg.ProviderPriority != 0 || IsRequired(p.Pkg.Name)).ToList();
        if (auto.Count == 0)
            throw Fail(from, $"needs '{dep.Name}', a virtual name provided by {string.Join(", ", usable.Select(p => p.Pkg.Name).Distinct())} " +
                             "without provider_priority; name the one you want in the recipe's include list");
        var best = auto[0];
        foreach (var c in auto.Skip(1))
            if (Compare(c.Pkg, c.Version, best.Pkg, best.Version, dep.Name) > 0) best = c;
        return best.Pkg;
    }

    /// <summary>A package name with requirers (in world or waiting in the queue), as apk's name->ss.requirers.</summary>
    private bool IsRequired(string name) =>
        _worldNames.Contains(name) || _queue.Any(q => !q.Dep.IsConflict && q.Dep.Name == name);

    private bool NeedsLaterChoice(ApkDependency dep) =>
        _providers.TryGetValue(dep.Name, out var ps) &&
        ps.All(p => p.Version is null && p.Pkg.ProviderPriority == 0 && !IsRequired(p.Pkg.Name));

    /// <summary>apk compare_providers, reduced to what differs on a fresh install. Positive: a is better.</summary>
    private static int Compare(ApkPackageInfo a, string? aVer, ApkPackageInfo b, string? bVer, string requested)
    {
        var r = ApkVersion.Compare(aVer, bVer, false);
        if (r == ApkVersionOp.Less) return -1;
        if (r == ApkVersionOp.Greater) return 1;
        if (a.Name == b.Name)
        {
            int v = ApkVersion.Compare(a.Version, b.Version);
            if (v != 0) return v;
        }
        if (a.ProviderPriority != b.ProviderPriority) return a.ProviderPriority.CompareTo(b.ProviderPriority);
        if (a.RepositoryOrder != b.RepositoryOrder) return b.RepositoryOrder.CompareTo(a.RepositoryOrder);
        // Not in apk (it would keep the first seen): make the result independent of index order.
        return string.CompareOrdinal(b.Name, a.Name);
    }

    private bool Selectable(ApkPackageInfo p) => WhyNot(p) is null;

    /// <summary>Why a package cannot join the current selection (a shallow check, as apk's pkg_selectable).</summary>
    private string? WhyNot(ApkPackageInfo p, bool ignoreMissingDependencies = false)
    {
        foreach (var (conflict, from) in _conflicts)
            if (!ReferenceEquals(from, p) && ProvidesName(p, conflict.Name, out var ver) && !conflict.IsSatisfiedBy(ver, p.Checksum))
                return $"conflicts with '{conflict}' of {(from is null ? "world" : from.ToString())}";
        foreach (var own in p.Depends.Where(d => d.IsConflict))
            if (_chosen.TryGetValue(own.Name, out var c) && c.Pkg != p && !own.IsSatisfiedBy(c.Version, c.Pkg.Checksum))
                return $"its rule '{own}' excludes the selected {c.Pkg}";
        // Providing one name twice is a conflict with itself unless both provides are unversioned (assign_name).
        var names = ProvidedNames(p).ToList();
        for (int i = 0; i < names.Count; i++)
            for (int j = i + 1; j < names.Count; j++)
                if (names[i].Name == names[j].Name && !(names[i].Version is null && names[j].Version is null))
                    return $"it provides {names[i].Name} twice";
        foreach (var (name, ver) in ProvidedNames(p))
            if (_chosen.TryGetValue(name, out var c) && c.Pkg != p && !(ver is null && c.Version is null))
                return $"{name} is already provided by {c.Pkg}";
        if (ignoreMissingDependencies) return null;
        foreach (var d in p.Depends.Where(d => !d.IsConflict))
            if (!_providers.TryGetValue(d.Name, out var ps) || !ps.Any(x => d.IsSatisfiedBy(x.Version, x.Pkg.Checksum)))
                return $"its dependency '{d}' has no provider";
        return null;
    }

    /// <summary>The selected package that keeps <paramref name="p"/> out, if that is the reason.</summary>
    private ApkPackageInfo? Blocker(ApkPackageInfo p)
    {
        foreach (var own in p.Depends.Where(d => d.IsConflict))
            if (_chosen.TryGetValue(own.Name, out var c) && c.Pkg != p && !own.IsSatisfiedBy(c.Version, c.Pkg.Checksum))
                return c.Pkg;
        foreach (var (name, ver) in ProvidedNames(p))
            if (_chosen.TryGetValue(name, out var c) && c.Pkg != p && !(ver is null && c.Version is null))
                return c.Pkg;
        return null;
    }

    private static IEnumerable<(string Name, string? Version)> ProvidedNames(ApkPackageInfo p)
    {
        yield return (p.Name, p.Version);
        foreach (var prov in p.Provides) yield return (prov.Name, prov.Version);
    }

    private static bool ProvidesName(ApkPackageInfo p, string name, out string? version)
    {
        foreach (var (n, v) in ProvidedNames(p))
            if (n == name) { version = v; return true; }
        version = null;
        return false;
    }

    private bool IsConditionMet(ApkDependency cond)
    {
        bool have = _chosen.TryGetValue(cond.Name, out var c);
        if (cond.IsConflict) return !have || cond.IsSatisfiedBy(c.Version, c.Pkg.Checksum);
        return have && cond.IsSatisfiedBy(c.Version, c.Pkg.Checksum);
    }

    private void Select(ApkPackageInfo p, string reason, ApkPackageInfo? parent)
    {
        var why = WhyNot(p, ignoreMissingDependencies: true);
        if (why is not null) throw Fail(parent, $"needs {p}, but {why}");
        foreach (var (name, ver) in ProvidedNames(p))
            _chosen.TryAdd(name, (p, ver));
        _selected.Add(p);
        _reason[p] = reason;
        _parent[p] = parent;
        foreach (var d in p.Depends.Where(d => d.IsConflict)) _conflicts.Add((d, p));
    }
}
