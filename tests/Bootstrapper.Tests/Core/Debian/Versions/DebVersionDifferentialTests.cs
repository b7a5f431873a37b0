using System.Diagnostics;
using System.Text;
using Bootstrapper.Core.Debian.Versions;

namespace Bootstrapper.Tests.Core.Debian.Versions;

/// <summary>
/// Compares <see cref="DebVersion"/> with the host's `dpkg --compare-versions` on thousands of generated pairs.
/// One `sh` per half of the pairs runs dpkg in a loop (one process per comparison costs ~1.3 ms; a process per
/// pair from .NET would cost several times that). dpkg is part of every Debian system, so no skip.
/// </summary>
public sealed class DebVersionDifferentialTests(ITestOutputHelper output)
{
    private const int Seed = 20261126;

    [Fact]
    public void Compare_agrees_with_dpkg_on_generated_pairs()
    {
        var random = new Random(Seed);
        var pairs = EdgePairs().ToList();
        while (pairs.Count < 3000)
        {
            var a = RandomVersion(random);
            pairs.Add((a, random.Next(3) == 0 ? RandomVersion(random) : Mutate(a, random)));
        }

        var clock = Stopwatch.StartNew();
        var dpkg = RunInParallel(pairs, ThreeWayScript);
        output.WriteLine($"{pairs.Count} pairs checked against dpkg in {clock.Elapsed.TotalSeconds:F1} s (seed {Seed}); dpkg said " +
                         string.Join(", ", dpkg.GroupBy(r => r).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}")));
        Assert.True(dpkg.Distinct().Count() == 3, "the generator must produce lesser, equal and greater pairs");

        var mismatches = new List<string>();
        for (int i = 0; i < pairs.Count; i++)
        {
            var (a, b) = pairs[i];
            var ours = Math.Sign(DebVersion.Compare(a, b)) switch { < 0 => "<", 0 => "=", _ => ">" };
            if (ours != dpkg[i]) mismatches.Add($"'{a}' vs '{b}': dpkg {dpkg[i]}, ours {ours}");
        }
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} mismatches:\n{string.Join('\n', mismatches.Take(30))}");
    }

    /// <summary>dpkg prints a warning or error for any version it considers bad syntax; Parse must reject exactly those.</summary>
    [Fact]
    public void Parse_accepts_exactly_what_dpkg_accepts_silently()
    {
        var random = new Random(Seed + 1);
        var texts = new List<string> { "1.0-", "0:", ":1", "+1:0", "1:-0", "1a:0", "a", "1_0", "1.0 0", "1:2:3-4-5", "1~", "00:1" };
        const string alphabet = "0123456789aZ.+-~:_!@ ";
        while (texts.Count < 600)
        {
            var sb = new StringBuilder();
            int length = random.Next(1, 8);
            for (int i = 0; i < length; i++) sb.Append(alphabet[random.Next(alphabet.Length)]);
            var text = sb.ToString().Trim();
            // dpkg would read a leading '-' as an option.
            if (text.Length > 0 && text[0] != '-') texts.Add(text);
        }
        var pairs = texts.Select(t => (t, t)).ToList();
        var dpkg = RunInParallel(pairs, ValidityScript);
        var mismatches = new List<string>();
        for (int i = 0; i < texts.Count; i++)
        {
            bool dpkgAccepts = dpkg[i] == "ok";
            bool ours = DebVersion.TryParse(texts[i], out _, out var error);
            if (dpkgAccepts != ours) mismatches.Add($"'{texts[i]}': dpkg {(dpkgAccepts ? "accepts" : "rejects")}, ours {(ours ? "accepts" : $"rejects ({error})")}");
        }
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} mismatches:\n{string.Join('\n', mismatches.Take(30))}");
    }

    private const string ThreeWayScript =
        "c() { if dpkg --compare-versions \"$1\" lt \"$2\"; then echo '<'; elif dpkg --compare-versions \"$1\" eq \"$2\"; then echo '='; else echo '>'; fi; }\n";

    /// <summary>"ok" only when dpkg compares without printing anything (no warning, no error).</summary>
    private const string ValidityScript =
        "c() { if out=$(dpkg --compare-versions \"$1\" eq \"$2\" 2>&1) && [ -z \"$out\" ]; then echo ok; else echo bad; fi; }\n";

    private static IEnumerable<(string, string)> EdgePairs() =>
    [
        ("1.0", "1.0-0"), ("0:1", "1"), ("1.0~", "1.0"), ("1~~", "1~~a"), ("1~", "1"), ("1.0a", "1.0+"),
        ("1.0", "1.0."), ("1.00", "1.0"), ("9", "10"), ("99999999999999999999", "100000000000000000000"),
        ("1-0", "1"), ("1:1.0", "0:9.9"), ("1.0-1~bpo1", "1.0-1"), ("1a", "1A"), ("1+", "1."), ("1~a", "1~A"),
        ("2:1", "10:1"), ("1-1-1", "1-1"), ("1:1:1", "1:1"), ("0.0", "0"), ("1.0-0.0", "1.0"),
    ];

    private static string RandomVersion(Random r)
    {
        var sb = new StringBuilder();
        bool epoch = r.Next(5) == 0;
        if (epoch) sb.Append(r.Next(4)).Append(':');
        bool revision = r.Next(2) == 0;
        sb.Append(Digits(r));
        int pieces = r.Next(0, 5);
        const string upstreamChars = ".+~abzAZ";
        for (int i = 0; i < pieces; i++)
        {
            int kind = r.Next(4);
            if (kind == 0) sb.Append(Digits(r));
            else if (kind == 1 && revision) sb.Append('-');          // hyphens upstream need a revision after them
            else if (kind == 1 && epoch) sb.Append(':');            // colons upstream need an epoch before them
            else sb.Append(upstreamChars[r.Next(upstreamChars.Length)]);
        }
        if (revision)
        {
            sb.Append('-');
            const string revisionChars = "0123456789.+~abzAZ";
            int length = r.Next(1, 6);
            for (int i = 0; i < length; i++) sb.Append(revisionChars[r.Next(revisionChars.Length)]);
        }
        return sb.ToString();
    }

    private static string Digits(Random r) => r.Next(6) switch
    {
        0 => "0",
        1 => "00" + r.Next(10),
        2 => r.NextInt64(1, long.MaxValue).ToString(),
        _ => r.Next(0, 30).ToString(),
    };

    /// <summary>Small edits make pairs that are close, where ordering bugs hide.</summary>
    private static string Mutate(string v, Random r)
    {
        for (int attempt = 0; attempt < 20; attempt++)
        {
            var candidate = r.Next(6) switch
            {
                0 => v + "~",
                1 => v + r.Next(10),
                2 => v + (v.Contains('-') ? "+b1" : "-0"),
                3 => v.Length > 1 ? v[..^1] : v + "0",
                4 => v.Replace('.', '~'),
                _ => "0:" + v.TrimStart('0', '1', '2', '3', ':'),
            };
            if (DebVersion.TryParse(candidate, out _)) return candidate;
        }
        return v;
    }

    private static string[] RunInParallel(List<(string A, string B)> pairs, string function)
    {
        int half = pairs.Count / 2;
        var first = Task.Run(() => RunDpkgScript(pairs[..half], function));
        var second = Task.Run(() => RunDpkgScript(pairs[half..], function));
        return [.. first.Result, .. second.Result];
    }

    private static string[] RunDpkgScript(List<(string A, string B)> pairs, string function)
    {
        var script = new StringBuilder(function);
        foreach (var (a, b) in pairs) script.Append($"c '{a}' '{b}'\n");
        var psi = new ProcessStartInfo("sh") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(script.ToString());
        process.StandardInput.Close();
        process.WaitForExit();
        var lines = stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == pairs.Count, $"dpkg script printed {lines.Length} results for {pairs.Count} pairs: {stderr.Result}");
        return lines;
    }
}
