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
    private readonly Dictionary<string, int> _ids = new(100_000, StringComparer.Ordinal);
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
        int i = 0;
        while (i < field.Length)
        {
            while (i < field.Length && field[i] is ',' or '|' or ' ' or '\t' or '\n' or '\r') i++;
            int start = i;
            while (i < field.Length && !IsNameEnd(field[i])) i++;
            var name = field[start..i];
            var qualifier = ReadOnlySpan<char>.Empty;
            if (i < field.Length && field[i] == ':')
            {
                int q = ++i;
                while (i < field.Length && !IsNameEnd(field[i])) i++;
                qualifier = field[q..i];
            }
            if (!name.IsEmpty && (qualifier.IsEmpty || qualifier.SequenceEqual("native") || qualifier.SequenceEqual(nativeArch)))
                Mention(name);
            while (i < field.Length && field[i] is not (',' or '|')) i++;
        }
    }

    private static bool IsNameEnd(char c) => c is ' ' or '\t' or '\n' or '\r' or '(' or '[' or '<' or ':' or ',' or '|';
}
