using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Planning;

namespace Bootstrapper.Engine.Families.Shared;

/// <summary>The order a locked build installs in, for every family.</summary>
internal static class LockedOrder
{
    /// <summary>
    /// Installers unpack in plan order, and which package creates a shared directory first decides its metadata in
    /// the image (and, for apk, which scripts see which files). So a locked build takes the order the family's
    /// resolver gives today's indices (for the same indices: the unlocked build's order, hence the same image), with
    /// the packages it no longer picks after them, by name; when today's indices do not resolve, the lock's order.
    /// </summary>
    /// <param name="resolve">Today's resolution, names in the order the resolver picked them.</param>
    public static IReadOnlyList<PlannedPackage> InResolverOrder(IReadOnlyList<PlannedPackage> packages,
        Func<IEnumerable<string>> resolve)
    {
        Dictionary<string, int> position;
        try
        {
            position = resolve().Select((name, i) => (name, i)).ToDictionary(t => t.name, t => t.i, StringComparer.Ordinal);
        }
        catch (ResolutionException)
        {
            return packages;
        }
        return packages.OrderBy(p => position.GetValueOrDefault(p.Name, int.MaxValue))
            .ThenBy(p => p.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Indices whose signers share none with the lock's record of the same index: worth a warning (a key rotation,
    /// or the wrong keyring), not an error, since the packages are pinned by hash.
    /// </summary>
    /// <param name="key">What makes a locked index and today's the same one (Debian: the suite; Alpine: the repository
    /// path, whatever the mirror), as the warning names it.</param>
    public static IEnumerable<string> SignerChanges(IEnumerable<Core.Locking.LockedIndex> locked, IEnumerable<IndexInfo> today,
        Func<string, string, string> key) =>
        from old in locked
        join now in today on key(old.Url, old.Suite) equals key(now.Url, now.Suite)
        where old.SignedBy.Count > 0 && !old.SignedBy.Intersect(now.SignedBy, StringComparer.OrdinalIgnoreCase).Any()
        select $"{key(old.Url, old.Suite)}: the lock recorded an index signed by {string.Join(", ", old.SignedBy)}, " +
               $"today's is signed by {string.Join(", ", now.SignedBy)}";
}
