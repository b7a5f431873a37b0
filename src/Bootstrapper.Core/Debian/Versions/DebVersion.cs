using System.Text;

namespace Bootstrapper.Core.Debian.Versions;

/// <summary>
/// A Debian package version, <c>[epoch:]upstream[-revision]</c>, ordered exactly as dpkg orders them
/// (deb-version(5); dpkg lib/dpkg/version.c and lib/dpkg/parsehelp.c).
/// </summary>
/// <remarks>
/// Equality follows the ordering: "1.0" equals "1.00" and "1.0-0", and "0:1" equals "1", because dpkg compares
/// digit runs numerically and an empty revision compares equal to "0". <see cref="ToString"/> keeps the text as
/// written.
/// </remarks>
internal sealed class DebVersion : IComparable<DebVersion>, IComparable, IEquatable<DebVersion>
{
    private DebVersion(string text, int epoch, string upstream, string revision)
    {
        Text = text;
        Epoch = epoch;
        Upstream = upstream;
        Revision = revision;
    }

    /// <summary>The version as written (trimmed).</summary>
    public string Text { get; }
    public int Epoch { get; }
    public string Upstream { get; }
    /// <summary>The Debian revision; empty for native packages (no hyphen).</summary>
    public string Revision { get; }

    /// <summary>Parses with dpkg's rules; throws <see cref="FormatException"/> naming the text on bad syntax.</summary>
    public static DebVersion Parse(string text)
    {
        if (TryParse(text, out var version, out var error))
            return version;
        throw new FormatException($"invalid Debian version '{text}': {error}");
    }

    public static bool TryParse(string? text, out DebVersion version) => TryParse(text, out version, out _);

    /// <summary>
    /// Applies every check dpkg's parseversion makes, including those dpkg itself only warns about (upstream not
    /// starting with a digit, characters outside the allowed sets): the Debian archive rejects such versions, so
    /// an index carrying one is broken.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static bool TryParse(string? text, out DebVersion version, out string error)
    {
        version = null!;
        var s = (text ?? "").Trim(' ', '\t', '\n', '\r');
        if (!Check(s, out int epoch, out error)) return false;
        int colon = s.IndexOf(':');
        var rest = colon >= 0 ? s[(colon + 1)..] : s;
        int hyphen = rest.LastIndexOf('-');
        version = hyphen >= 0
            ? new DebVersion(s, epoch, rest[..hyphen], rest[(hyphen + 1)..])
            : new DebVersion(s, epoch, rest, "");
        return true;
    }

    /// <summary>
    /// Whether the UTF-8 text is a valid version (<see cref="TryParse(string?, out DebVersion, out string)"/>'s
    /// checks, with its messages), without allocating: the index reader checks every stanza's Version this way
    /// and parses only the versions it compares.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static bool IsValid(ReadOnlySpan<byte> utf8, out string error)
    {
        utf8 = utf8.Trim(" \t\n\r"u8);
        if (utf8.Length > 256) return TryParse(Encoding.UTF8.GetString(utf8), out _, out error);
        Span<char> chars = stackalloc char[256];
        int n = utf8.Length;
        if (System.Text.Ascii.IsValid(utf8))
            for (int i = 0; i < n; i++) chars[i] = (char)utf8[i];
        else
            n = Encoding.UTF8.GetChars(utf8, chars);
        return Check(chars[..n], out _, out error);
    }

    /// <summary>The checks of dpkg's parseversion on trimmed text; the epoch when they pass.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool Check(ReadOnlySpan<char> s, out int epoch, out string error)
    {
        epoch = 0;
        if (s.Length == 0) { error = "version string is empty"; return false; }
        if (s.IndexOfAny(" \t\n\r") >= 0) { error = "version string has embedded spaces"; return false; }

        var rest = s;
        int colon = s.IndexOf(':');
        if (colon >= 0)
        {
            if (!TryParseEpoch(s[..colon], out epoch, out error)) return false;
            rest = s[(colon + 1)..];
            if (rest.Length == 0) { error = "nothing after colon in version number"; return false; }
        }

        // The revision starts after the last hyphen, so upstream versions may contain hyphens themselves.
        ReadOnlySpan<char> upstream = rest, revision = [];
        int hyphen = rest.LastIndexOf('-');
        if (hyphen >= 0)
        {
            upstream = rest[..hyphen];
            revision = rest[(hyphen + 1)..];
            // dpkg 1.21 (bookworm) rejects "1.0-"; this is the dpkg used as the reference here.
            if (revision.Length == 0) { error = "revision number is empty"; return false; }
        }
        if (upstream.Length == 0) { error = "version number is empty"; return false; }
        if (!IsDigit(upstream[0])) { error = "version number does not start with digit"; return false; }
        foreach (var c in upstream)
            if (!IsDigit(c) && !IsAsciiLetter(c) && ".-+~:".IndexOf(c) < 0)
            { error = "invalid character in version number"; return false; }
        foreach (var c in revision)
            if (!IsDigit(c) && !IsAsciiLetter(c) && ".+~".IndexOf(c) < 0)
            { error = "invalid character in revision number"; return false; }
        error = "";
        return true;
    }

    /// <summary>
    /// dpkg reads the epoch with strtol, so an optional sign is accepted ("+1:0" is valid, "-0:1" too) and
    /// anything else before the colon is an error; the messages are dpkg's.
    /// </summary>
    private static bool TryParseEpoch(ReadOnlySpan<char> text, out int epoch, out string error)
    {
        epoch = 0;
        int i = 0;
        bool negative = false;
        if (i < text.Length && text[i] is '+' or '-') negative = text[i++] == '-';
        int digits = i;
        while (i < text.Length && IsDigit(text[i])) i++;
        if (i == digits) { error = "epoch in version is empty"; return false; }
        if (i != text.Length) { error = "epoch in version is not number"; return false; }
        var number = text[digits..].TrimStart('0');
        bool isZero = number.IsEmpty;
        if (negative && !isZero) { error = "epoch in version is negative"; return false; }
        if (number.Length > 10 || (!isZero && long.Parse(number, provider: System.Globalization.CultureInfo.InvariantCulture) > int.MaxValue))
        { error = "epoch in version is too big"; return false; }
        epoch = isZero ? 0 : int.Parse(number, provider: System.Globalization.CultureInfo.InvariantCulture);
        error = "";
        return true;
    }

    /// <summary>Compares two version strings (both must parse). Negative, zero or positive like dpkg.</summary>
    public static int Compare(string a, string b) => Compare(Parse(a), Parse(b));

    public static int Compare(DebVersion a, DebVersion b)
    {
        if (a.Epoch != b.Epoch) return a.Epoch < b.Epoch ? -1 : 1;
        int rc = CompareFragment(a.Upstream, b.Upstream);
        return rc != 0 ? rc : CompareFragment(a.Revision, b.Revision);
    }

    public int CompareTo(DebVersion? other) => other is null ? 1 : Compare(this, other);

    int IComparable.CompareTo(object? obj) => obj switch
    {
        null => 1,
        DebVersion v => Compare(this, v),
        _ => throw new ArgumentException("not a DebVersion", nameof(obj)),
    };

    /// <summary>True when "this <paramref name="relation"/> other" holds, e.g. 2.0 Satisfies(&gt;=, 1.5).</summary>
    public bool Satisfies(VersionRelation relation, DebVersion other)
    {
        int rc = Compare(this, other);
        return relation switch
        {
            VersionRelation.StrictlyEarlier => rc < 0,
            VersionRelation.EarlierOrEqual => rc <= 0,
            VersionRelation.Equal => rc == 0,
            VersionRelation.LaterOrEqual => rc >= 0,
            VersionRelation.StrictlyLater => rc > 0,
            _ => throw new ArgumentOutOfRangeException(nameof(relation), relation, null),
        };
    }

    /// <summary>Same, with the operator as written in control files: &lt;&lt; &lt;= = &gt;= &gt;&gt; (and obsolete &lt; &gt;).</summary>
    public bool Satisfies(string op, DebVersion other) => Satisfies(VersionRelations.Parse(op), other);

    public bool Equals(DebVersion? other) => other is not null && Compare(this, other) == 0;
    public override bool Equals(object? obj) => obj is DebVersion v && Equals(v);

    /// <summary>Hash of a normal form that is equal exactly when <see cref="Compare(DebVersion, DebVersion)"/> is 0.</summary>
    public override int GetHashCode() => HashCode.Combine(Epoch, Normalize(Upstream), Normalize(Revision));

    public override string ToString() => Text;

    public static bool operator <(DebVersion a, DebVersion b) => Compare(a, b) < 0;
    public static bool operator >(DebVersion a, DebVersion b) => Compare(a, b) > 0;
    public static bool operator <=(DebVersion a, DebVersion b) => Compare(a, b) <= 0;
    public static bool operator >=(DebVersion a, DebVersion b) => Compare(a, b) >= 0;

    /// <summary>
    /// dpkg's verrevcmp: alternate non-digit runs (compared char by char with <see cref="Order"/>) and digit runs
    /// (compared numerically, leading zeros ignored, any length).
    /// </summary>
    private static int CompareFragment(string a, string b)
    {
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            while ((i < a.Length && !IsDigit(a[i])) || (j < b.Length && !IsDigit(b[j])))
            {
                int ac = Order(a, i), bc = Order(b, j);
                if (ac != bc) return ac - bc;
                i++;
                j++;
            }
            while (i < a.Length && a[i] == '0') i++;
            while (j < b.Length && b[j] == '0') j++;
            int firstDiff = 0;
            while (i < a.Length && j < b.Length && IsDigit(a[i]) && IsDigit(b[j]))
            {
                if (firstDiff == 0) firstDiff = a[i] - b[j];
                i++;
                j++;
            }
            if (i < a.Length && IsDigit(a[i])) return 1;   // a's number has more digits
            if (j < b.Length && IsDigit(b[j])) return -1;
            if (firstDiff != 0) return firstDiff;
        }
        return 0;
    }

    /// <summary>
    /// Weight of a character in a non-digit run: '~' sorts before the end of the string (so 1.0~rc1 &lt; 1.0),
    /// the end and digits weigh 0, letters sort before all other characters.
    /// </summary>
    private static int Order(string s, int index)
    {
        if (index >= s.Length) return 0;
        char c = s[index];
        if (IsDigit(c)) return 0;
        if (IsAsciiLetter(c)) return c;
        if (c == '~') return -1;
        return c + 256;
    }

    /// <summary>Drops leading zeros of every digit run; two fragments compare equal iff their normal forms match.</summary>
    private static string Normalize(string s)
    {
        var sb = new StringBuilder(s.Length);
        int i = 0;
        while (i < s.Length)
        {
            if (!IsDigit(s[i])) { sb.Append(s[i++]); continue; }
            while (i < s.Length && s[i] == '0') i++;
            while (i < s.Length && IsDigit(s[i])) sb.Append(s[i++]);
        }
        return sb.ToString();
    }

    private static bool IsDigit(char c) => c is >= '0' and <= '9';
    private static bool IsAsciiLetter(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z');
}
