using Bootstrapper.Core.Debian.Control;

namespace Bootstrapper.Core.Debian.Resolution;

/// <summary>
/// Every installable package for one native architecture, merged from several Packages indices (suites,
/// components, mirrors), as apt sees them with equal pins: per name only the highest version is a candidate,
/// and virtual names resolve through the Provides of those candidates.
/// </summary>
internal sealed partial class PackageUniverse
{
    private readonly List<DebianPackage> _candidates;
    /// <summary>Index in <see cref="_candidates"/> + 1 of each name id of <see cref="_cacheOrder"/>; 0 for none.</summary>
    private readonly int[] _slotOf;
    private readonly Dictionary<string, List<(DebianPackage Package, ProvidedName Provided)>> _providers;

    private readonly AptCacheOrder _cacheOrder;
    /// <summary>The indices read, in order (what a snapshot refers to).</summary>
    private readonly IReadOnlyList<StanzaSource> _sources;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private PackageUniverse(string nativeArchitecture, List<DebianPackage> candidates, int[] slotOf, int stanzaCount,
        AptCacheOrder cacheOrder, IReadOnlyList<StanzaSource> sources)
    {
        _cacheOrder = cacheOrder;
        _sources = sources;
        NativeArchitecture = nativeArchitecture;
        _candidates = candidates;
        _slotOf = slotOf;
        StanzaCount = stanzaCount;
        int providedCount = 0;
        foreach (var p in candidates) providedCount += p.Provides.Count;
        _providers = new Dictionary<string, List<(DebianPackage, ProvidedName)>>(providedCount, StringComparer.Ordinal);
        foreach (var p in candidates)
            foreach (var provided in p.Provides)
            {
                if (!_providers.TryGetValue(provided.Name, out var list))
                    _providers[provided.Name] = list = new(2);
                list.Add((p, provided));
            }
    }

    /// <summary>The dpkg architecture packages are installed for ("amd64"); "all" packages go with it.</summary>
    public string NativeArchitecture { get; }
    /// <summary>How many stanzas were read (all versions, all architectures).</summary>
    public int StanzaCount { get; }
    /// <summary>The candidate of each package name, in the order the names first appear in the indices.</summary>
    public IReadOnlyCollection<DebianPackage> Packages => _candidates.AsReadOnly();

    /// <summary>
    /// Parses and merges the indices. Stanzas for other architectures are skipped (single-architecture images).
    /// When a name appears more than once the version from the index with the highest
    /// <see cref="PackagesIndex.PinPriority"/> wins, then the highest version; on a tie the earlier index wins, as
    /// apt keeps the first source of a version.
    /// </summary>
    public static PackageUniverse Build(IEnumerable<PackagesIndex> indices, string nativeArchitecture) =>
        Build(indices, nativeArchitecture, Environment.ProcessorCount, MinimumRunBytes);

    /// <summary>
    /// Same, reading each index in at most <paramref name="runsPerIndex"/> runs of at least
    /// <paramref name="minimumRunBytes"/> (tests use this to check that runs change nothing).
    /// </summary>
    internal static PackageUniverse Build(IEnumerable<PackagesIndex> indices, string nativeArchitecture, int runsPerIndex,
        int minimumRunBytes) => Build(indices, nativeArchitecture, runsPerIndex, minimumRunBytes, null);

    /// <summary>
    /// Same, with apt-style selectors (<c>name=version</c>, <c>name/suite</c>): for a selected name, a stanza the
    /// selector accepts is the candidate over any other (then the usual rule among those), as apt-get install makes
    /// it. A selector no stanza satisfies is an error listing what the sources have.
    /// </summary>
    public static PackageUniverse Build(IEnumerable<PackagesIndex> indices, string nativeArchitecture,
        IReadOnlyCollection<PackageSelector> selectors) =>
        Build(indices, nativeArchitecture, Environment.ProcessorCount, MinimumRunBytes,
            selectors.Where(s => s.PinsVersion).ToDictionary(s => s.Name, StringComparer.Ordinal));

    private static PackageUniverse Build(IEnumerable<PackagesIndex> indices, string nativeArchitecture, int runsPerIndex,
        int minimumRunBytes, Dictionary<string, PackageSelector>? selectors)
    {
        var seen = new Dictionary<string, List<DebianPackage>>(StringComparer.Ordinal);
        var (sources, chunks) = ReadConcurrently(indices, nativeArchitecture, runsPerIndex, minimumRunBytes);
        var order = chunks.Count > 0 ? chunks[0].Order : new AptCacheOrder();
        var candidates = new List<DebianPackage>(80_000);
        var slotOf = new int[Math.Max(order.Names.Count, 1024)];
        int stanzas = 0;
        foreach (var chunk in chunks)
        {
            // Each run numbered the names it mentions in its own order; appending them in run order after the
            // names already known gives the order one reader going through every index would have made.
            int[]? ids = null;
            if (chunk.Order != order)
            {
                ids = new int[chunk.Order.Names.Count];
                for (int local = 0; local < ids.Length; local++) ids[local] = order.Mention(chunk.Order.Names.BytesOf(local));
            }
            if (order.Names.Count > slotOf.Length) Array.Resize(ref slotOf, Math.Max(order.Names.Count, slotOf.Length * 2));
            foreach (var (package, local) in chunk.Packages)
            {
                int id = ids is null ? local : ids[local];
                int slot = slotOf[id] - 1;
                var selector = selectors is { Count: > 0 } && selectors.TryGetValue(package.Name, out var sel) ? sel : null;
                if (selector is not null)
                {
                    if (!seen.TryGetValue(package.Name, out var list)) seen[package.Name] = list = [];
                    list.Add(package);
                }
                if (slot < 0)
                {
                    candidates.Add(package);
                    slotOf[id] = candidates.Count;
                }
                else if (selector is not null && selector.Accepts(package) != selector.Accepts(candidates[slot]))
                {
                    if (selector.Accepts(package)) candidates[slot] = package;
                }
                else if (IsBetter(package, candidates[slot]))
                    candidates[slot] = package;
            }
            stanzas += chunk.Stanzas;
        }
        var universe = new PackageUniverse(nativeArchitecture, candidates, slotOf, stanzas, order, sources);
        foreach (var selector in (IEnumerable<PackageSelector>?)selectors?.Values ?? [])
            if (universe.Find(selector.Name) is not { } candidate || !selector.Accepts(candidate))
                throw selector.NotAvailable(seen.GetValueOrDefault(selector.Name) ?? []);
        return universe;
    }

    private static bool IsBetter(DebianPackage package, DebianPackage existing) =>
        package.PinPriority != existing.PinPriority ? package.PinPriority > existing.PinPriority : package.Version > existing.Version;

    /// <summary>
    /// Rank of the package in apt's cache when the indices are read in the order given to <see cref="Build(IEnumerable{PackagesIndex}, string)"/>
    /// (pass them in sources.list order); see <see cref="AptCacheOrder"/>.
    /// </summary>
    public int AptCacheRank(string name) => _cacheOrder.IdOf(name);

    public DebianPackage? Find(string name)
    {
        int id = _cacheOrder.IdOf(name);
        int slot = id >= 0 && id < _slotOf.Length ? _slotOf[id] - 1 : -1;
        return slot >= 0 ? _candidates[slot] : null;
    }

    /// <summary>Candidates that provide <paramref name="name"/> (with the version they provide, if any).</summary>
    public IReadOnlyList<(DebianPackage Package, ProvidedName Provided)> ProvidersOf(string name) =>
        _providers.TryGetValue(name, out var list) ? list : [];

    /// <summary>
    /// Candidates that satisfy <paramref name="relation"/>: the package of that name if its version matches, and
    /// every provider of that name. A versioned relation is only met by a versioned Provides (Policy 7.5).
    /// </summary>
    public List<DebianPackage> Satisfying(Relation relation)
    {
        var result = new List<DebianPackage>(2);
        if (Find(relation.Name) is { } real && relation.AcceptsVersion(real.Version) &&
            QualifierAccepts(relation.ArchQualifier, real, isProvider: false))
            result.Add(real);
        if (_providers.TryGetValue(relation.Name, out var providers))
            foreach (var (p, provided) in providers)
            {
                if (relation.Op is not null && (provided.Version is null || !relation.AcceptsVersion(provided.Version)))
                    continue;
                if (!QualifierAccepts(relation.ArchQualifier, p, isProvider: true) || result.Contains(p)) continue;
                result.Add(p);
            }
        return result;
    }

    /// <summary>
    /// Whether <paramref name="relation"/> names <paramref name="package"/> (used for Conflicts and Breaks): the
    /// package itself with a matching version, or one of its Provides (an unversioned conflict hits every
    /// provider; a versioned one only a provider with a matching provided version).
    /// </summary>
    public static bool Matches(Relation relation, DebianPackage package)
    {
        if (package.Name == relation.Name && relation.AcceptsVersion(package.Version)) return true;
        foreach (var provided in package.Provides)
            if (provided.Name == relation.Name &&
                (relation.Op is null || (provided.Version is not null && relation.AcceptsVersion(provided.Version))))
                return true;
        return false;
    }

    /// <summary>
    /// Architecture qualifiers (multiarch spec): ":any" is met by a Multi-Arch: allowed package (providers are
    /// accepted as is); ":native" and ":ARCH" by a package of that architecture, "all" counting as native.
    /// Without a qualifier any package of this single-architecture universe will do.
    /// </summary>
    private bool QualifierAccepts(string? qualifier, DebianPackage package, bool isProvider)
    {
        if (qualifier is null) return true;
        if (qualifier == "any") return isProvider || package.MultiArch == MultiArch.Allowed;
        var arch = package.Architecture == "all" ? NativeArchitecture : package.Architecture;
        return qualifier == "native" ? arch == NativeArchitecture : arch == qualifier;
    }
}
