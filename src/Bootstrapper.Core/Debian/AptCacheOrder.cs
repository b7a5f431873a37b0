namespace Bootstrapper.Core.Debian;

/// <summary>
/// The order in which apt's cache generator creates packages while reading the Packages indices in source
/// order: a package exists from the first stanza that names it, as itself, as a relationship target or as a
/// provided name. apt's provider ranking (depcache.cc CompareProviders) ends, when everything else ties, by
/// preferring the package created last; this order lets the resolver make the same choice (for example which of
/// several Priority: optional providers of phpapi-20220829 or www-browser apt installs).
/// </summary>
internal sealed class AptCacheOrder
{
    private static readonly System.Buffers.SearchValues<char> NameEnd = System.Buffers.SearchValues.Create(" \t\n\r([<:,|");
    private static readonly System.Buffers.SearchValues<char> GroupEnd = System.Buffers.SearchValues.Create(",|");

    private readonly Dictionary<string, int> _ids = new(100_000, NameComparer.Instance);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public AptCacheOrder() => _lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Creation rank of a package; -1 for a name no index mentions.</summary>
    public int IdOf(string name) => _ids.TryGetValue(name, out var id) ? id : -1;

    public void Mention(ReadOnlySpan<char> name)
    {
        if (!_lookup.ContainsKey(name)) _lookup[name] = _ids.Count;
    }

    /// <summary>
    /// Mentions each target of a relationship field. "name:any" creates apt's pseudo package "name:any", not
    /// the package itself, so only unqualified, ":native" and native-architecture targets count.
    /// </summary>
    public void MentionRelations(ReadOnlySpan<char> field, string nativeArch)
    {
        while (!field.IsEmpty)
        {
            field = field.TrimStart(" \t\n\r,|");
            int end = field.IndexOfAny(NameEnd);
            var name = end < 0 ? field : field[..end];
            var rest = end < 0 ? ReadOnlySpan<char>.Empty : field[end..];
            var qualifier = ReadOnlySpan<char>.Empty;
            if (!rest.IsEmpty && rest[0] == ':')
            {
                rest = rest[1..];
                int q = rest.IndexOfAny(NameEnd);
                qualifier = q < 0 ? rest : rest[..q];
                rest = q < 0 ? ReadOnlySpan<char>.Empty : rest[q..];
            }
            if (!name.IsEmpty && (qualifier.IsEmpty || qualifier.SequenceEqual("native") || qualifier.SequenceEqual(nativeArch)))
                Mention(name);
            // Skip the version, architecture list and profiles up to the next ',' or '|'.
            int next = rest.IndexOfAny(GroupEnd);
            field = next < 0 ? ReadOnlySpan<char>.Empty : rest[next..];
        }
    }

    /// <summary>
    /// Ordinal comparison with a cheap non-randomised hash: this table sees about a million look-ups per
    /// build, and package names are not attacker-chosen keys once the index signature has been checked.
    /// </summary>
    private sealed class NameComparer : IEqualityComparer<string>, IAlternateEqualityComparer<ReadOnlySpan<char>, string>
    {
        public static readonly NameComparer Instance = new();

        public bool Equals(string? x, string? y) => string.Equals(x, y, StringComparison.Ordinal);
        public int GetHashCode(string obj) => Hash(obj);
        public bool Equals(ReadOnlySpan<char> alternate, string other) => alternate.SequenceEqual(other);
        public int GetHashCode(ReadOnlySpan<char> alternate) => Hash(alternate);
        public string Create(ReadOnlySpan<char> alternate) => alternate.ToString();

        private static int Hash(ReadOnlySpan<char> s)
        {
            uint h = 2166136261;
            foreach (var c in s) h = (h ^ c) * 16777619;
            return (int)h;
        }
    }
}
