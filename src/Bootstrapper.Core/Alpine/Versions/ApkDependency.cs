using Bootstrapper.Core.Errors;

namespace Bootstrapper.Core.Alpine.Versions;

/// <summary>
/// One dependency, provide or install_if atom: <c>[!]name[@tag][op version]</c> (apk-tools apk_dep_parse).
/// Names include the <c>so:</c>, <c>cmd:</c> and <c>pc:</c> namespaces; for apk they are plain names.
/// </summary>
internal sealed record ApkDependency(string Name, ApkVersionOp Op, string? Version, string? Tag = null)
{
    public bool IsConflict => (Op & ApkVersionOp.Conflict) != 0;

    /// <summary>Does a provider offering <paramref name="providedVersion"/> (null: a virtual provide) satisfy it?</summary>
    public bool IsSatisfiedBy(string? providedVersion, string? providerChecksum = null)
    {
        if ((Op & ~ApkVersionOp.Conflict) == ApkVersionOp.Checksum)
        {
            bool same = providerChecksum is not null && providerChecksum == Version;
            return IsConflict ? !same : same;
        }
        return ApkVersion.Matches(providedVersion, Op, Version);
    }

    public static ApkDependency Parse(string text, string sourceName)
    {
        var spec = text.AsSpan();
        var op = ApkVersionOp.None;
        if (spec.StartsWith("!"))
        {
            op |= ApkVersionOp.Conflict;
            spec = spec[1..];
        }
        int opStart = spec.IndexOfAny("<>=~");
        string name;
        string? version = null;
        if (opStart < 0)
        {
            name = spec.ToString();
            op |= ApkVersionOp.Any;
        }
        else
        {
            name = spec[..opStart].ToString();
            int verStart = opStart;
            while (verStart < spec.Length && spec[verStart] is '<' or '>' or '=' or '~') verStart++;
            var mask = ApkVersionOp.None;
            foreach (char c in spec[opStart..verStart])
                mask |= c switch
                {
                    '<' => ApkVersionOp.Less,
                    '>' => ApkVersionOp.Greater,
                    '=' => ApkVersionOp.Equal,
                    _ => ApkVersionOp.Fuzzy | ApkVersionOp.Equal,
                };
            op |= mask;
            version = spec[verStart..].ToString();
            if (version.Length == 0) throw Bad(text, sourceName, "operator without a version");
        }
        string? tag = null;
        int at = name.IndexOf('@');
        if (at >= 0)
        {
            tag = name[(at + 1)..];
            name = name[..at];
        }
        if (name.Length == 0) throw Bad(text, sourceName, "empty name");
        return new ApkDependency(name, op, version, tag);
    }

    /// <summary>Parses a whitespace-separated list (the D:, p: and i: index fields).</summary>
    public static IReadOnlyList<ApkDependency> ParseList(string? text, string sourceName)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        return text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)
            .Select(t => Parse(t, sourceName)).ToArray();
    }

    public override string ToString()
    {
        var prefix = IsConflict ? "!" : "";
        var tag = Tag is null ? "" : "@" + Tag;
        if (Version is null) return prefix + Name + tag;
        return prefix + Name + tag + OpString(Op & ~ApkVersionOp.Conflict) + Version;
    }

    private static string OpString(ApkVersionOp op) => op switch
    {
        ApkVersionOp.Less => "<",
        ApkVersionOp.Less | ApkVersionOp.Equal => "<=",
        ApkVersionOp.Less | ApkVersionOp.Equal | ApkVersionOp.Fuzzy => "<~",
        ApkVersionOp.Equal | ApkVersionOp.Fuzzy or ApkVersionOp.Fuzzy => "~",
        ApkVersionOp.Equal => "=",
        ApkVersionOp.Greater | ApkVersionOp.Equal => ">=",
        ApkVersionOp.Greater | ApkVersionOp.Equal | ApkVersionOp.Fuzzy => ">~",
        ApkVersionOp.Greater => ">",
        ApkVersionOp.Checksum => "><",
        _ => "?",
    };

    private static RecipeException Bad(string text, string source, string why) =>
        new($"{source}: malformed dependency '{text}' ({why}); expected [!]name[op version].");
}
