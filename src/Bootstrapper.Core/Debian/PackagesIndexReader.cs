using Bootstrapper.Core.Errors;

namespace Bootstrapper.Core.Debian;

/// <summary>
/// Reads a whole Packages index straight into <see cref="DebianPackage"/>s: the same deb822 syntax as
/// <see cref="Deb822.Parse"/>, without a dictionary per stanza and without allocating the names of fields it
/// does not keep.
/// </summary>
/// <remarks>
/// Why a second reader: bookworm main is ~63k stanzas in ~50 MB, of which the kept fields are a small part.
/// Going through <see cref="Deb822Paragraph"/> cost about twice the time and garbage (measured: ~210 ms CPU vs
/// ~100 ms), and the universe is rebuilt on every plan. Fields with few distinct values (Architecture, Priority,
/// Section...) are shared strings.
/// </remarks>
internal static class PackagesIndexReader
{
    /// <summary>Relationship fields only read for <see cref="AptCacheOrder"/>, numbered after the kept fields.</summary>
    private static readonly string[] MentionOnlyFields = ["Recommends", "Suggests", "Replaces", "Enhances"];

    // Static fields initialise in text order: this one needs MentionOnlyFields.
    private static readonly Dictionary<string, int> FieldIndex = BuildFieldIndex();

    private static readonly bool[] SharedValue = BuildShared();

    /// <summary>
    /// Calls <paramref name="add"/> for each stanza of a wanted architecture, and records every name the stanza
    /// mentions in <paramref name="order"/>.
    /// </summary>
    public static void Read(PackagesIndex index, string nativeArchitecture, AptCacheOrder order,
        Func<string, bool> wantArchitecture, Action<DebianPackage> add)
    {
        var lookup = FieldIndex.GetAlternateLookup<ReadOnlySpan<char>>();
        var shared = new Dictionary<string, string>(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        var values = new string?[DebianPackage.FieldNames.Length];
        // Start and end offsets in the text of the mention-only fields (no strings needed for them).
        var mentionOnly = new (int Start, int End)[MentionOnlyFields.Length];
        var text = index.Text;
        var span = text.AsSpan();
        bool inParagraph = false;
        int paragraphLine = 0, lineNo = 0, last = -1, pos = 0;

        void EndParagraph()
        {
            if (inParagraph)
            {
                var arch = values[(int)PackageField.Architecture];
                if (arch is null || wantArchitecture(arch))
                {
                    RecordMentions(values, mentionOnly, text, nativeArchitecture, order);
                    add(DebianPackage.FromFields(values, paragraphLine, index.RepositoryUrl, index.SourceName, index.PinPriority));
                }
                Array.Clear(values);
                Array.Clear(mentionOnly);
            }
            inParagraph = false;
            last = -1;
        }

        while (pos < span.Length)
        {
            int lineStart = pos;
            int nl = span[pos..].IndexOf('\n');
            var line = nl < 0 ? span[pos..] : span.Slice(pos, nl);
            pos = nl < 0 ? span.Length : pos + nl + 1;
            lineNo++;
            if (line.Length > 0 && line[^1] == '\r') line = line[..^1];

            if (line.IsEmpty || line.IsWhiteSpace())
            {
                EndParagraph();
                continue;
            }
            char first = line[0];
            if (first == '#') continue;
            if (first is ' ' or '\t')
            {
                if (!inParagraph)
                    throw Malformed(index, lineNo, "continuation line outside a field");
                // Multi-line values keep their lines joined with '\n', as Deb822Paragraph does.
                if (last >= values.Length) mentionOnly[last - values.Length].End = lineStart + line.Length;
                else if (last >= 0) values[last] = string.Concat(values[last], "\n", line[1..].TrimEnd());
                continue;
            }

            int colon = line.IndexOf(':');
            if (colon <= 0)
                throw Malformed(index, lineNo, $"expected 'Field: value', got '{line.ToString()}'");
            if (!inParagraph)
            {
                inParagraph = true;
                paragraphLine = lineNo;
            }
            if (!lookup.TryGetValue(line[..colon].TrimEnd(), out last))
            {
                last = -1;
                continue;
            }
            if (last >= values.Length)
            {
                mentionOnly[last - values.Length] = (lineStart + colon + 1, lineStart + line.Length);
                continue;
            }
            var value = line[(colon + 1)..].Trim();
            values[last] = SharedValue[last] ? Shared(shared, value) : value.ToString();
        }
        EndParagraph();
    }

    /// <summary>
    /// The order in which apt's cache generator creates packages (debListParser::NewVersion): the stanza's own
    /// package, then the targets of Pre-Depends, Depends, Conflicts, Breaks, Recommends, Suggests, Replaces,
    /// Enhances, then the provided names.
    /// </summary>
    private static void RecordMentions(string?[] values, (int Start, int End)[] mentionOnly, string text, string nativeArch,
        AptCacheOrder order)
    {
        if (values[(int)PackageField.Package] is not { } name) return;
        order.Mention(name);
        order.MentionRelations(values[(int)PackageField.PreDepends], nativeArch);
        order.MentionRelations(values[(int)PackageField.Depends], nativeArch);
        order.MentionRelations(values[(int)PackageField.Conflicts], nativeArch);
        order.MentionRelations(values[(int)PackageField.Breaks], nativeArch);
        foreach (var (start, end) in mentionOnly)
            if (end > start) order.MentionRelations(text.AsSpan(start, end - start), nativeArch);
        order.MentionRelations(values[(int)PackageField.Provides], nativeArch);
    }

    private static string Shared(Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> shared, ReadOnlySpan<char> value)
    {
        if (shared.TryGetValue(value, out var s)) return s;
        s = value.ToString();
        shared[s] = s;
        return s;
    }

    private static ResolutionException Malformed(PackagesIndex index, int line, string what) =>
        new($"Packages index {index.SourceName} is malformed: {index.SourceName}:{line}: {what}");

    private static Dictionary<string, int> BuildFieldIndex()
    {
        var d = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < DebianPackage.FieldNames.Length; i++) d[DebianPackage.FieldNames[i]] = i;
        for (int i = 0; i < MentionOnlyFields.Length; i++) d[MentionOnlyFields[i]] = DebianPackage.FieldNames.Length + i;
        return d;
    }

    private static bool[] BuildShared()
    {
        var shared = new bool[DebianPackage.FieldNames.Length + MentionOnlyFields.Length];
        foreach (var f in new[] { PackageField.Architecture, PackageField.MultiArch, PackageField.Essential,
                                  PackageField.Important, PackageField.Priority, PackageField.Section })
            shared[(int)f] = true;
        return shared;
    }
}
