using Bootstrapper.Core.Debian.Control;

namespace Bootstrapper.Core.Debian.Resolution;

/// <summary>
/// apt's CompareProviders for a fresh system: the package named by the relation itself first, then Essential,
/// then Important, then higher Priority (so awk is mawk, Priority: required), and when all of that ties the
/// package apt's cache created last (<see cref="PackageUniverse.AptCacheRank"/>).
/// </summary>
internal sealed class ProviderRanking(string target, PackageUniverse universe) : IComparer<DebianPackage>
{
    public int Compare(DebianPackage? a, DebianPackage? b)
    {
        if (ReferenceEquals(a, b)) return 0;
        if (a is null) return 1;
        if (b is null) return -1;
        int c = (b.Name == target).CompareTo(a.Name == target);
        if (c == 0) c = b.Essential.CompareTo(a.Essential);
        if (c == 0) c = b.Important.CompareTo(a.Important);
        if (c == 0) c = a.Priority.CompareTo(b.Priority);
        if (c == 0) c = universe.AptCacheRank(b.Name).CompareTo(universe.AptCacheRank(a.Name));
        return c != 0 ? c : string.CompareOrdinal(a.Name, b.Name);
    }
}
