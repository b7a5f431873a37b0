using Bootstrapper.Core.Debian.Control;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Core.Debian.Resolution;

/// <summary>Every resolution failure message, in one place.</summary>
internal static class DebianResolutionErrors
{
    public static ResolutionException SeedNotFound(string name, string reason) => new(
        $"package '{name}' {Describe(reason)} is not in any source; check the name, the suites and the components");

    public static ResolutionException SeedIsVirtual(string name, string reason, IEnumerable<DebianPackage> providers) => new(
        $"package '{name}' {Describe(reason)} is a virtual package provided by " +
        $"{string.Join(", ", providers.Select(p => p.Name).Order(StringComparer.Ordinal))}; include one of them instead");

    public static ResolutionException IncludedAndExcluded(string name) => new(
        $"package '{name}' is both included and excluded; remove it from one of the lists");

    public static ResolutionException SeedConflict(DebianPackage package, string reason, string conflict) => new(
        $"cannot install {package.Name} {package.Version} ({reason}): {conflict}; exclude one of them");

    /// <summary>
    /// "apt depends on libfoo (>= 2), but only 1.5 is available (chain: apt -> libapt-pkg6.0)": says, for each
    /// alternative, why it cannot be used, and which selections led here.
    /// </summary>
    public static ResolutionException Unsatisfiable(PackageUniverse universe, DebianPackage package, string field,
        RelationGroup group, IReadOnlyList<string> rejected, IReadOnlyList<string> chain, IReadOnlySet<string> excluded)
    {
        var why = Explain(universe, group, excluded);
        why.AddRange(rejected);
        return new ResolutionException(
            $"{package.Name} {package.Version} {Verb(field)} {group}, but {string.Join("; ", why.Distinct())} " +
            $"(chain: {string.Join(" -> ", chain)}). Include or exclude packages to change the choice, or fix the sources.");
    }

    /// <summary>For each alternative that no candidate satisfies, why not (missing, excluded, too old, wrong qualifier).</summary>
    public static List<string> Explain(PackageUniverse universe, RelationGroup group, IReadOnlySet<string> excluded)
    {
        var why = new List<string>();
        foreach (var alternative in group.Alternatives)
        {
            var real = universe.Find(alternative.Name);
            var providers = universe.ProvidersOf(alternative.Name);
            var satisfying = universe.Satisfying(alternative);
            if (excluded.Contains(alternative.Name))
                why.Add($"{alternative.Name} is excluded");
            else if (real is null && providers.Count == 0)
                why.Add($"{alternative.Name} is not in any source");
            else if (satisfying.Count > 0 && satisfying.All(p => excluded.Contains(p.Name)))
                why.Add($"every package satisfying {alternative} is excluded ({string.Join(", ", satisfying.Select(p => p.Name))})");
            else if (satisfying.Count == 0 && real is not null && alternative.ArchQualifier is { } q &&
                     alternative.AcceptsVersion(real.Version))
                why.Add($"{real.Name} {real.Version} ({real.Architecture}, Multi-Arch: {real.MultiArch.ToString().ToLowerInvariant()}) " +
                        $"does not satisfy the qualifier :{q}");
            else if (satisfying.Count == 0)
                why.Add(real is not null
                    ? $"only {alternative.Name} {real.Version} is available"
                    : $"no provider of {alternative.Name} matches ({string.Join(", ", providers.Select(p => $"{p.Package.Name} provides {p.Provided}"))})");
        }
        return why;
    }

    public static string Verb(string field) => field == "Pre-Depends" ? "pre-depends on" : "depends on";

    private static string Describe(string reason) =>
        reason.StartsWith("requested", StringComparison.Ordinal) ? reason.Replace("requested (include)", "requested by include")
                                                                 : $"(selected by {reason})";
}
