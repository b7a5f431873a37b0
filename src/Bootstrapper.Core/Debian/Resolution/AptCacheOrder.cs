namespace Bootstrapper.Core.Debian.Resolution;

/// <summary>
/// The order in which apt's cache generator creates packages while reading the Packages indices in source
/// order: a package exists from the first stanza that names it, as itself, as a relationship target or as a
/// provided name. apt's provider ranking (depcache.cc CompareProviders) ends, when everything else ties, by
/// preferring the package created last; this order lets the resolver make the same choice (for example which of
/// several Priority: optional providers of phpapi-20220829 or www-browser apt installs).
/// </summary>
internal sealed class AptCacheOrder
{
    // Byte classes of the relationship syntax: what separates targets, what ends a name, what ends a group.
    private const byte Separator = 1, NameEnd = 2, GroupEnd = 4;
    private static readonly byte[] Classes = BuildClasses();

    /// <summary>Every name mentioned so far; a name's id is its creation rank.</summary>
    public PackageNameTable Names { get; }

    /// <param name="expectedNames">About how many names will be mentioned (the table grows past it).</param>
    public AptCacheOrder(int expectedNames = 1024) => Names = new PackageNameTable(expectedNames);

    /// <summary>Creation rank of a package; -1 for a name no index mentions.</summary>
    public int IdOf(string name) => Names.IdOf(name);

    /// <summary>Mentions one name; returns its rank.</summary>
    public int Mention(ReadOnlySpan<byte> name) => Names.GetOrAdd(name);

    /// <summary>
    /// Mentions each target of a relationship field (its UTF-8 text). "name:any" creates apt's pseudo package
    /// "name:any", not the package itself, so only unqualified, ":native" and native-architecture targets count.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void MentionRelations(ReadOnlySpan<byte> field, ReadOnlySpan<byte> nativeArch)
    {
        // Plain loops rather than span helpers: this runs ~400k times in the first second of the process, before
        // tiered compilation would have optimised those helpers.
        var classes = Classes;
        int i = 0, n = field.Length;
        while (i < n)
        {
            while (i < n && (classes[field[i]] & Separator) != 0) i++;
            int nameStart = i;
            while (i < n && (classes[field[i]] & NameEnd) == 0) i++;
            int nameEnd = i, qualifierStart = i, qualifierEnd = i;
            if (i < n && field[i] == (byte)':')
            {
                qualifierStart = ++i;
                while (i < n && (classes[field[i]] & NameEnd) == 0) i++;
                qualifierEnd = i;
            }
            var qualifier = field[qualifierStart..qualifierEnd];
            if (nameEnd > nameStart &&
                (qualifier.IsEmpty || qualifier.SequenceEqual("native"u8) || qualifier.SequenceEqual(nativeArch)))
                Mention(field[nameStart..nameEnd]);
            // Skip the version, architecture list and profiles up to the next ',' or '|'.
            while (i < n && (classes[field[i]] & GroupEnd) == 0) i++;
        }
    }

    private static byte[] BuildClasses()
    {
        var classes = new byte[256];
        foreach (var b in " \t\n\r,|"u8) classes[b] |= Separator;
        foreach (var b in " \t\n\r([<:,|"u8) classes[b] |= NameEnd;
        foreach (var b in ",|"u8) classes[b] |= GroupEnd;
        return classes;
    }
}
