using Bootstrapper.Core.Debian.Versions;

namespace Bootstrapper.Core.Debian.Control;

/// <summary>
/// Parses relationship fields (Depends, Pre-Depends, Conflicts, Breaks, Provides, ...): ',' separates groups that
/// must all hold, '|' separates alternatives. Whitespace (including folded lines) is allowed around every token.
/// </summary>
internal static class RelationParser
{
    /// <summary>Throws <see cref="FormatException"/> naming the offending text.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static IReadOnlyList<RelationGroup> Parse(string? field)
    {
        if (string.IsNullOrWhiteSpace(field)) return [];
        var groups = new List<RelationGroup>();
        foreach (var groupRange in field.AsSpan().Split(','))
        {
            var groupText = field.AsSpan()[groupRange];
            if (groupText.IsWhiteSpace())
            {
                // dpkg tolerates a trailing comma; an empty group elsewhere is an error.
                if (groupRange.End.GetOffset(field.Length) == field.Length) continue;
                throw new FormatException($"empty relation in '{field}'");
            }
            var alternatives = new List<Relation>(1);
            foreach (var altRange in groupText.Split('|'))
                alternatives.Add(ParseOne(groupText[altRange], field));
            groups.Add(new RelationGroup(alternatives));
        }
        return groups;
    }

    /// <summary>Parses one relation (no ',' or '|').</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static Relation ParseOne(ReadOnlySpan<char> text, string field)
    {
        var s = text.Trim();
        if (s.IsEmpty) throw new FormatException($"empty alternative in '{field}'");

        int i = 0;
        while (i < s.Length && !IsSpace(s[i]) && s[i] is not ('(' or '[' or '<' or ':')) i++;
        var name = s[..i].ToString();
        if (!IsValidName(name)) throw new FormatException($"invalid package name '{name}' in '{field}'");

        string? qualifier = null;
        if (i < s.Length && s[i] == ':')
        {
            int q = ++i;
            while (i < s.Length && !IsSpace(s[i]) && s[i] is not ('(' or '[' or '<')) i++;
            qualifier = s[q..i].ToString();
            if (qualifier.Length == 0) throw new FormatException($"empty architecture qualifier after '{name}:' in '{field}'");
        }

        VersionRelation? op = null;
        DebVersion? version = null;
        List<string>? archs = null;
        while (true)
        {
            while (i < s.Length && IsSpace(s[i])) i++;
            if (i >= s.Length) break;
            char open = s[i];
            char close = open switch { '(' => ')', '[' => ']', '<' => '>', _ => '\0' };
            if (close == '\0') throw new FormatException($"unexpected '{s[i..]}' after '{name}' in '{field}'");
            int end = s[i..].IndexOf(close);
            if (end < 0) throw new FormatException($"missing '{close}' after '{name}' in '{field}'");
            var inner = s.Slice(i + 1, end - 1).Trim();
            i += end + 1;
            switch (open)
            {
                case '(':
                    if (op is not null) throw new FormatException($"two version constraints on '{name}' in '{field}'");
                    (op, version) = ParseConstraint(inner, name, field);
                    break;
                case '[':
                    archs ??= [];
                    foreach (var r in inner.SplitAny(" \t\n"))
                        if (!inner[r].IsEmpty) archs.Add(inner[r].ToString());
                    if (archs.Count == 0) throw new FormatException($"empty architecture list on '{name}' in '{field}'");
                    if (archs.Any(a => a.StartsWith('!')) && !archs.All(a => a.StartsWith('!')))
                        throw new FormatException($"architecture list of '{name}' mixes negated and plain entries in '{field}'");
                    break;
                default:
                    break; // build profile restriction: irrelevant for binary packages
            }
        }
        return new Relation { Name = name, ArchQualifier = qualifier, Op = op, Version = version, Architectures = archs };
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static (VersionRelation, DebVersion) ParseConstraint(ReadOnlySpan<char> inner, string name, string field)
    {
        int opLen = 0;
        while (opLen < inner.Length && inner[opLen] is '<' or '>' or '=') opLen++;
        if (!VersionRelations.TryParse(inner[..opLen], out var op))
            throw new FormatException($"bad version relation '{inner}' on '{name}' in '{field}'");
        var versionText = inner[opLen..].Trim().ToString();
        if (!DebVersion.TryParse(versionText, out var version, out var error))
            throw new FormatException($"bad version '{versionText}' on '{name}' in '{field}': {error}");
        return (op, version);
    }

    /// <summary>Policy 5.6.1: lower-case letters, digits, '+', '-', '.'; at least two characters, starting alphanumeric.</summary>
    private static bool IsValidName(string name)
    {
        if (name.Length == 0 || !char.IsAsciiLetterOrDigit(name[0])) return false;
        foreach (var c in name)
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '+' or '-' or '.'))
                return false;
        return true;
    }

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\r';
}
