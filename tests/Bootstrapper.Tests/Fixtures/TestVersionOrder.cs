namespace Bootstrapper.Tests.Fixtures;

/// <summary>
/// A small dpkg-style version order for the diff tests (the real DebVersion lives in another branch): epoch,
/// then upstream and revision compared as alternating non-digit and digit runs, '~' before everything, letters
/// before other characters. Enough that "deb12u10" sorts after "deb12u9", which an ordinal compare gets wrong.
/// </summary>
internal static class TestVersionOrder
{
    public static int Dpkg(string a, string b)
    {
        var (ea, ua, ra) = Split(a);
        var (eb, ub, rb) = Split(b);
        if (ea != eb) return ea.CompareTo(eb);
        var upstream = Runs(ua, ub);
        return upstream != 0 ? upstream : Runs(ra, rb);
    }

    private static (long Epoch, string Upstream, string Revision) Split(string v)
    {
        var colon = v.IndexOf(':');
        var epoch = colon > 0 ? long.Parse(v[..colon]) : 0;
        var rest = colon > 0 ? v[(colon + 1)..] : v;
        var dash = rest.LastIndexOf('-');
        return dash > 0 ? (epoch, rest[..dash], rest[(dash + 1)..]) : (epoch, rest, "");
    }

    private static int Weight(char c) =>
        c == '~' ? -1 : char.IsAsciiDigit(c) ? 0 : char.IsAsciiLetter(c) ? c : c + 256;

    private static int Runs(string a, string b)
    {
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            while ((i < a.Length && !char.IsAsciiDigit(a[i])) || (j < b.Length && !char.IsAsciiDigit(b[j])))
            {
                var wa = i < a.Length ? Weight(a[i]) : 0;
                var wb = j < b.Length ? Weight(b[j]) : 0;
                if (wa != wb) return wa.CompareTo(wb);
                i++;
                j++;
            }
            while (i < a.Length && a[i] == '0') i++;
            while (j < b.Length && b[j] == '0') j++;
            var first = 0;
            while (i < a.Length && char.IsAsciiDigit(a[i]) && j < b.Length && char.IsAsciiDigit(b[j]))
            {
                if (first == 0) first = a[i].CompareTo(b[j]);
                i++;
                j++;
            }
            if (i < a.Length && char.IsAsciiDigit(a[i])) return 1;
            if (j < b.Length && char.IsAsciiDigit(b[j])) return -1;
            if (first != 0) return first;
        }
        return 0;
    }
}
