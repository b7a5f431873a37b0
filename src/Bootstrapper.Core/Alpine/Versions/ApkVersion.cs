namespace Bootstrapper.Core.Alpine.Versions;

/// <summary>
/// Result bits of a version comparison, and the operator masks of a dependency, with the same values apk-tools
/// uses: a constraint matches when <c>Compare(a, b)</c> has a bit in common with the operator's mask.
/// </summary>
[Flags]
internal enum ApkVersionOp
{
    None = 0,
    Equal = 1,
    Less = 2,
    Greater = 4,
    /// <summary>"~": equal when the constraint's version is a prefix (by tokens) of the package's.</summary>
    Fuzzy = 8,
    /// <summary>"!": the dependency is a conflict; the match is inverted.</summary>
    Conflict = 16,
    /// <summary>No version constraint: everything matches.</summary>
    Any = Equal | Less | Greater,
    /// <summary>"&gt;&lt;": the version field holds a package checksum (Q1...), not a version.</summary>
    Checksum = Less | Greater,
}

/// <summary>
/// Alpine version ordering: <c>digit{.digit}...{letter}{_suffix{#}}...{~hash}{-r#}</c> (apk-tools src/version.c).
/// Tokens are compared one by one; a version that runs out of tokens first is older, except that a following
/// pre-release suffix (_alpha, _beta, _pre, _rc) makes the longer one older. Numbers with a leading zero compare
/// as strings (Gentoo's rule), so 1.01 &lt; 1.1 but 1.010 &gt; 1.01 lexically.
/// </summary>
internal static class ApkVersion
{
    private enum Token { InitialDigit, Digit, Letter, Suffix, SuffixNo, CommitHash, RevisionNo, End, Invalid }

    // Pre-release suffixes sort before "no suffix" (index 5), post-release ones after; the order is apk's.
    private static readonly string[] Suffixes = ["", "alpha", "beta", "pre", "rc", "", "cvs", "svn", "git", "hg", "p"];
    private const int SuffixInvalid = 0;
    private const int SuffixNone = 5;

    private struct State
    {
        public Token Token;
        public int Suffix;
        public ulong Number;
        public int Start;
        public int Length;
    }

    /// <summary>True when <paramref name="version"/> is well-formed by apk's grammar.</summary>
    public static bool IsValid(string version)
    {
        int pos = 0;
        var t = First(version, ref pos);
        while (t.Token < Token.End) Next(version, ref pos, ref t);
        return t.Token == Token.End;
    }

    /// <summary>Total order used for sorting: negative when <paramref name="a"/> is older.</summary>
    public static int Compare(string a, string b) => Compare(a, b, fuzzy: false) switch
    {
        ApkVersionOp.Less => -1,
        ApkVersionOp.Greater => 1,
        _ => 0,
    };

    /// <summary>apk_version_match: does a package version <paramref name="version"/> satisfy "op target"?</summary>
    public static bool Matches(string? version, ApkVersionOp op, string? target)
    {
        bool ok = (op & ApkVersionOp.Any) == ApkVersionOp.Any
                  || (Compare(version, target, (op & ApkVersionOp.Fuzzy) != 0) & op) != 0;
        return (op & ApkVersionOp.Conflict) != 0 ? !ok : ok;
    }

    /// <summary>
    /// One of Less, Greater or Equal; or all three when either side is missing (a virtual provide has no
    /// version, and apk lets it satisfy any versioned constraint that way).
    /// </summary>
    public static ApkVersionOp Compare(string? a, string? b, bool fuzzy)
    {
        if (a is null || b is null)
            return a is null && b is null ? ApkVersionOp.Equal : ApkVersionOp.Any;

        int pa = 0, pb = 0;
        var ta = First(a, ref pa);
        var tb = First(b, ref pb);
        while (ta.Token == tb.Token && ta.Token < Token.End)
        {
            var r = CompareTokens(a, ta, b, tb);
            if (r != ApkVersionOp.Equal) return r;
            Next(a, ref pa, ref ta);
            Next(b, ref pb, ref tb);
        }

        if (ta.Token == tb.Token) return ApkVersionOp.Equal;
        if (tb.Token == Token.End && fuzzy) return ApkVersionOp.Equal;
        // Same leading tokens: the longer one is newer unless what follows is a pre-release suffix.
        if (ta.Token == Token.Suffix && ta.Suffix < SuffixNone) return ApkVersionOp.Less;
        if (tb.Token == Token.Suffix && tb.Suffix < SuffixNone) return ApkVersionOp.Greater;
        if (ta.Token > tb.Token) return ApkVersionOp.Less;
        if (tb.Token > ta.Token) return ApkVersionOp.Greater;
        return ApkVersionOp.Equal;
    }

    private static ApkVersionOp CompareTokens(string a, State ta, string b, State tb)
    {
        ulong x, y;
        switch (ta.Token)
        {
            case Token.Digit when a[ta.Start] == '0' || b[tb.Start] == '0':
                return CompareStrings(a.AsSpan(ta.Start, ta.Length), b.AsSpan(tb.Start, tb.Length));
            case Token.Digit:
            case Token.InitialDigit:
            case Token.SuffixNo:
            case Token.RevisionNo:
                x = ta.Number; y = tb.Number;
                break;
            case Token.Letter:
                x = a[ta.Start]; y = b[tb.Start];
                break;
            case Token.Suffix:
                x = (ulong)ta.Suffix; y = (ulong)tb.Suffix;
                break;
            default:
                return CompareStrings(a.AsSpan(ta.Start, ta.Length), b.AsSpan(tb.Start, tb.Length));
        }
        return x < y ? ApkVersionOp.Less : x > y ? ApkVersionOp.Greater : ApkVersionOp.Equal;
    }

    private static ApkVersionOp CompareStrings(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        int r = a.SequenceCompareTo(b);
        return r < 0 ? ApkVersionOp.Less : r > 0 ? ApkVersionOp.Greater : ApkVersionOp.Equal;
    }

    private static State First(string s, ref int pos)
    {
        var t = new State { Token = Token.InitialDigit };
        ParseDigits(s, ref pos, ref t);
        return t;
    }

    private static void ParseDigits(string s, ref int pos, ref State t)
    {
        int start = pos;
        ulong n = 0;
        while (pos < s.Length && s[pos] is >= '0' and <= '9')
            n = unchecked(n * 10 + (ulong)(s[pos++] - '0'));
        t.Number = n;
        t.Start = start;
        t.Length = pos - start;
        if (t.Length == 0) t.Token = Token.Invalid;
    }

    private static void Next(string s, ref int pos, ref State t)
    {
        if (pos >= s.Length) { t.Token = Token.End; return; }
        char c = s[pos];
        if (c is >= 'a' and <= 'z')
        {
            if (t.Token > Token.Digit) { t.Token = Token.Invalid; return; }
            t.Start = pos; t.Length = 1; t.Token = Token.Letter;
            pos++;
        }
        else if (c is '.' or >= '0' and <= '9')
        {
            if (c == '.')
            {
                if (t.Token > Token.Digit) { t.Token = Token.Invalid; return; }
                pos++;
            }
            switch (t.Token)
            {
                case Token.InitialDigit or Token.Digit: t.Token = Token.Digit; break;
                case Token.Suffix: t.Token = Token.SuffixNo; break;
                default: t.Token = Token.Invalid; return;
            }
            ParseDigits(s, ref pos, ref t);
        }
        else if (c == '_')
        {
            if (t.Token > Token.SuffixNo) { t.Token = Token.Invalid; return; }
            pos++;
            int start = pos;
            while (pos < s.Length && s[pos] is >= 'a' and <= 'z') pos++;
            t.Start = start; t.Length = pos - start;
            t.Suffix = SuffixValue(s.AsSpan(start, pos - start));
            t.Token = t.Suffix == SuffixInvalid ? Token.Invalid : Token.Suffix;
        }
        else if (c == '~')
        {
            if (t.Token >= Token.CommitHash) { t.Token = Token.Invalid; return; }
            pos++;
            int start = pos;
            while (pos < s.Length && (s[pos] is >= '0' and <= '9' or >= 'a' and <= 'f')) pos++;
            t.Start = start; t.Length = pos - start;
            t.Token = t.Length == 0 ? Token.Invalid : Token.CommitHash;
        }
        else if (c == '-')
        {
            if (t.Token >= Token.RevisionNo || pos + 1 >= s.Length || s[pos + 1] != 'r')
            {
                t.Token = Token.Invalid;
                return;
            }
            pos += 2;
            t.Token = Token.RevisionNo;
            ParseDigits(s, ref pos, ref t);
        }
        else
        {
            t.Token = Token.Invalid;
        }
    }

    private static int SuffixValue(ReadOnlySpan<char> suffix)
    {
        for (int i = 1; i < Suffixes.Length; i++)
            if (i != SuffixNone && suffix.SequenceEqual(Suffixes[i])) return i;
        return SuffixInvalid;
    }
}
