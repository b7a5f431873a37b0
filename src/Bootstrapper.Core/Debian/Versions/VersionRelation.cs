namespace Bootstrapper.Core.Debian.Versions;

/// <summary>A version constraint operator of a relationship field (Debian Policy 7.1).</summary>
internal enum VersionRelation
{
    /// <summary><c>&lt;&lt;</c></summary>
    StrictlyEarlier,
    /// <summary><c>&lt;=</c> (and the obsolete <c>&lt;</c>, which means the same)</summary>
    EarlierOrEqual,
    /// <summary><c>=</c></summary>
    Equal,
    /// <summary><c>&gt;=</c> (and the obsolete <c>&gt;</c>, which means the same)</summary>
    LaterOrEqual,
    /// <summary><c>&gt;&gt;</c></summary>
    StrictlyLater,
}

internal static class VersionRelations
{
    /// <summary>Parses an operator as written in control files; throws <see cref="FormatException"/> otherwise.</summary>
    public static VersionRelation Parse(string op) => TryParse(op, out var r)
        ? r
        : throw new FormatException($"unknown version relation '{op}' (expected <<, <=, =, >= or >>)");

    public static bool TryParse(ReadOnlySpan<char> op, out VersionRelation relation)
    {
        switch (op)
        {
            case "<<": relation = VersionRelation.StrictlyEarlier; return true;
            // Policy 7.1: '<' and '>' are deprecated spellings of '<=' and '>=' (not strict).
            case "<=": case "<": relation = VersionRelation.EarlierOrEqual; return true;
            case "=": relation = VersionRelation.Equal; return true;
            case ">=": case ">": relation = VersionRelation.LaterOrEqual; return true;
            case ">>": relation = VersionRelation.StrictlyLater; return true;
            default: relation = default; return false;
        }
    }

    /// <summary>The canonical spelling (never the obsolete one).</summary>
    public static string ToOperator(this VersionRelation relation) => relation switch
    {
        VersionRelation.StrictlyEarlier => "<<",
        VersionRelation.EarlierOrEqual => "<=",
        VersionRelation.Equal => "=",
        VersionRelation.LaterOrEqual => ">=",
        VersionRelation.StrictlyLater => ">>",
        _ => throw new ArgumentOutOfRangeException(nameof(relation), relation, null),
    };
}
