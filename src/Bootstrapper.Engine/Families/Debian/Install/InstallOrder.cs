using Bootstrapper.Core.Debian.Control;

namespace Bootstrapper.Engine.Families.Debian.Install;

/// <summary>The relationship fields of one package that decide install order.</summary>
/// <param name="Name">Package name.</param>
/// <param name="PreDepends">Raw Pre-Depends field ("" when absent).</param>
/// <param name="Depends">Raw Depends field ("" when absent).</param>
/// <param name="Provides">Raw Provides field ("" when absent).</param>
internal sealed record InstallRelations(string Name, string PreDepends, string Depends, string Provides);

/// <summary>
/// Splits a package set into successive <c>dpkg --install</c> runs so that every Pre-Depends is configured before
/// the package that needs it is unpacked. dpkg orders configuration within one run but checks a pre-dependency at
/// unpack time, when a package later in the same run is at best unpacked (debootstrap's get_next_predep loop
/// solves the same problem).
/// </summary>
internal static class InstallOrder
{
    /// <summary>
    /// Returns the runs, in order. Packages pre-depended on (with everything they depend on within the set) go into
    /// earlier runs, recursively; a run never contains a package together with the target of its Pre-Depends.
    /// Names outside <paramref name="set"/> are taken as already installed. Order inside a run follows the input.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> Runs(IReadOnlyList<InstallRelations> set)
    {
        var result = new List<IReadOnlyList<string>>();
        Plan(set.Select(r => r.Name).ToList(), Index(set), result);
        return result;
    }

    private sealed record Graph(
        Dictionary<string, InstallRelations> ByName,
        Dictionary<string, List<string>> Providers);

    private static Graph Index(IReadOnlyList<InstallRelations> set)
    {
        var byName = set.ToDictionary(r => r.Name, StringComparer.Ordinal);
        var providers = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var r in set)
            foreach (var v in Names(r.Provides))
            {
                if (!providers.TryGetValue(v, out var l)) providers[v] = l = [];
                l.Add(r.Name);
            }
        return new Graph(byName, providers);
    }

    private static void Plan(List<string> names, Graph g, List<IReadOnlyList<string>> runs)
    {
        if (names.Count == 0) return;
        var inSet = names.ToHashSet(StringComparer.Ordinal);
        var preTargets = names.SelectMany(n => Targets(g.ByName[n].PreDepends, g, inSet)).ToHashSet(StringComparer.Ordinal);
        if (preTargets.Count == 0)
        {
            runs.Add(names);
            return;
        }
        // Everything the pre-dependency targets need to be configured, within this set.
        var first = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>(preTargets);
        while (queue.TryDequeue(out var n))
        {
            if (!first.Add(n)) continue;
            var r = g.ByName[n];
            foreach (var t in Targets(r.PreDepends, g, inSet).Concat(Targets(r.Depends, g, inSet)))
                queue.Enqueue(t);
        }
        if (first.Count == names.Count)
        {
            // A pre-dependency cycle: no order can satisfy it. dpkg reports the problem itself, naming the package.
            runs.Add(names);
            return;
        }
        Plan(names.Where(first.Contains).ToList(), g, runs);
        Plan(names.Where(n => !first.Contains(n)).ToList(), g, runs);
    }

    /// <summary>Packages of the set that can satisfy a relationship field (every alternative counts).</summary>
    private static IEnumerable<string> Targets(string field, Graph g, HashSet<string> inSet)
    {
        foreach (var n in Names(field))
        {
            if (inSet.Contains(n)) yield return n;
            if (g.Providers.TryGetValue(n, out var ps))
                foreach (var p in ps.Where(inSet.Contains)) yield return p;
        }
    }

    /// <summary>Package names of a relationship field: "a (>= 1) | b:any, c" -> a, b, c. The fields come from the
    /// control member of a package the plan already parsed from its signed index with the same parser.</summary>
    internal static IEnumerable<string> Names(string field) =>
        RelationParser.Parse(field).SelectMany(g => g.Alternatives, (_, r) => r.Name);
}
