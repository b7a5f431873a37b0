using Bootstrapper.Core.Alpine.Package;
using Bootstrapper.Core.Alpine.Versions;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Core.Alpine.Resolution;

/// <summary>What the resolver hands back: the install order, and failure messages with the requirer chain.</summary>
internal sealed partial class ApkResolver
{
    /// <summary>Changeset order: depth-first from world, dependencies first; then install_if packages.</summary>
    private List<ResolvedApk> Order(List<ApkDependency> world)
    {
        var done = new HashSet<ApkPackageInfo>(ReferenceEqualityComparer.Instance);
        var result = new List<ResolvedApk>();
        var iif = _selected.Where(p => _reason[p].StartsWith("install_if", StringComparison.Ordinal)).ToList();

        var emitted = new HashSet<ApkPackageInfo>(ReferenceEqualityComparer.Instance);
        void Visit(ApkPackageInfo p)
        {
            if (!done.Add(p)) return; // marks before recursing: dependency cycles are cut, as apk's in_changeset
            // Conflicts too: apk's cset_gen_dep visits the package a "!name" rule names before the rule's owner.
            foreach (var d in p.Depends)
                if (_chosen.TryGetValue(d.Name, out var c)) Visit(c.Pkg);
            result.Add(new ResolvedApk(p, _reason[p]));
            emitted.Add(p);
            // An install_if package follows the last of its conditions to be installed.
            foreach (var q in iif)
                if (!done.Contains(q) && q.InstallIf.Where(c => !c.IsConflict)
                        .All(c => _chosen.TryGetValue(c.Name, out var x) && emitted.Contains(x.Pkg)))
                    Visit(q);
        }

        foreach (var d in world.Where(d => !d.IsConflict))
            Visit(_chosen[d.Name].Pkg);
        foreach (var p in _selected) Visit(p);
        return result;
    }

    private string ChainSuffix(ApkPackageInfo p) => $" (selected because: {Chain(p)})";

    private string Chain(ApkPackageInfo? p)
    {
        var parts = new List<string>();
        var seen = new HashSet<ApkPackageInfo>(ReferenceEqualityComparer.Instance);
        for (var q = p; q is not null && seen.Add(q); q = _parent.GetValueOrDefault(q))
            parts.Add(q.ToString());
        parts.Add("world");
        parts.Reverse();
        return string.Join(" -> ", parts);
    }

    private ResolutionException Fail(ApkPackageInfo? from, string what) => Fail(from, from, what);

    /// <param name="culprit">The earlier choice to avoid on the next attempt (null: nothing to undo).</param>
    private ResolutionException Fail(ApkPackageInfo? from, ApkPackageInfo? culprit, string what)
    {
        _culprit = culprit;
        return new($"Cannot resolve the Alpine package set: {Chain(from)} {what}.");
    }
}
