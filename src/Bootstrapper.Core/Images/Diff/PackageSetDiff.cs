using Bootstrapper.Core.Errors;

namespace Bootstrapper.Core.Images.Diff;

/// <summary>
/// The comparison shared by image diffs and lock-file drift: two package sets keyed by (name, architecture),
/// classified with the family's version order.
/// </summary>
internal static class PackageSetDiff
{
    /// <param name="FileId">What identifies the package file (SHA-256, or Alpine's Q1); null when unknown.</param>
    internal sealed record Entry(string Name, string Architecture, string Version, long Size, string? FileId);

    /// <param name="describe">Names a side in the duplicate-package error ("the new manifest (recipe ...)").</param>
    public static PackageSetChanges Compute(IEnumerable<Entry> old, IEnumerable<Entry> @new, Comparison<string> versionOrder,
        Func<bool, string> describe)
    {
        var before = Index(old, () => describe(false));
        var after = Index(@new, () => describe(true));
        var added = new List<PackageChange>();
        var removed = new List<PackageChange>();
        var upgraded = new List<PackageChange>();
        var downgraded = new List<PackageChange>();
        var rebuilt = new List<PackageChange>();
        var unchanged = 0;

        foreach (var (key, o) in before)
        {
            if (!after.TryGetValue(key, out var n))
            {
                removed.Add(new PackageChange(o.Name, o.Architecture, o.Version, null, o.Size, 0));
                continue;
            }
            var change = new PackageChange(o.Name, o.Architecture, o.Version, n.Version, o.Size, n.Size);
            var order = o.Version == n.Version ? 0 : versionOrder(o.Version, n.Version);
            if (order < 0) upgraded.Add(change);
            else if (order > 0) downgraded.Add(change);
            // Same version but another file: a mirror serving a different build under the same version, or
            // versions that are equal in the family's order but spelt differently ("1.0" and "1.00" for dpkg).
            else if (o.Version != n.Version || (o.FileId is not null && n.FileId is not null && o.FileId != n.FileId))
                rebuilt.Add(change);
            else unchanged++;
        }
        foreach (var (key, n) in after)
            if (!before.ContainsKey(key))
                added.Add(new PackageChange(n.Name, n.Architecture, null, n.Version, 0, n.Size));

        return new PackageSetChanges
        {
            Added = Sorted(added),
            Removed = Sorted(removed),
            Upgraded = Sorted(upgraded),
            Downgraded = Sorted(downgraded),
            Rebuilt = Sorted(rebuilt),
            Unchanged = unchanged,
        };
    }

    private static Dictionary<(string, string), Entry> Index(IEnumerable<Entry> entries, Func<string> describe)
    {
        var index = new Dictionary<(string, string), Entry>();
        foreach (var e in entries)
            if (!index.TryAdd((e.Name, e.Architecture), e))
                throw new RecipeException(
                    $"{describe()} lists {e.Name}:{e.Architecture} twice; it was not written by bootstrap or was " +
                    "edited. Build or plan again to get a consistent file.");
        return index;
    }

    private static IReadOnlyList<PackageChange> Sorted(List<PackageChange> changes) =>
        changes.OrderBy(c => c.Name, StringComparer.Ordinal).ThenBy(c => c.Architecture, StringComparer.Ordinal).ToList();
}
