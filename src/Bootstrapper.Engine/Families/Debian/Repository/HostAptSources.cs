using Bootstrapper.Core.Debian.Control;

namespace Bootstrapper.Engine.Families.Debian.Repository;

/// <summary>
/// Reads the host's apt sources (sources.list(5)): /etc/apt/sources.list and sources.list.d/*.list in the
/// one-line format, sources.list.d/*.sources in deb822 format. Files with other endings are ignored, as apt ignores
/// them (".disabled", ".save", "~"...). Mirrors come from here; no archive host is ever written into the product.
/// </summary>
internal static class HostAptSources
{
    /// <param name="rootDirectory">File-system root to read under ("/" for the host; a folder in tests).</param>
    /// <returns>Enabled entries in apt's order: sources.list, then sources.list.d files sorted by name.</returns>
    public static IReadOnlyList<AptSourceEntry> Read(string rootDirectory = "/")
    {
        var aptDir = Path.Combine(rootDirectory, "etc", "apt");
        var result = new List<AptSourceEntry>();
        var main = Path.Combine(aptDir, "sources.list");
        if (File.Exists(main)) result.AddRange(ParseList(File.ReadAllText(main), main));
        var partsDir = Path.Combine(aptDir, "sources.list.d");
        if (Directory.Exists(partsDir))
        {
            foreach (var file in Directory.GetFiles(partsDir).Order(StringComparer.Ordinal))
            {
                if (file.EndsWith(".list", StringComparison.Ordinal))
                    result.AddRange(ParseList(File.ReadAllText(file), file));
                else if (file.EndsWith(".sources", StringComparison.Ordinal))
                    result.AddRange(ParseSources(File.ReadAllText(file), file));
            }
        }
        return result;
    }

    /// <summary>
    /// Base URLs worth probing for <paramref name="suite"/>, best first: "deb" entries that list the suite, then the
    /// other "deb" entries (a mirror usually carries more suites than the host uses: trixie beside bookworm).
    /// Suites of one archive share a host, so "bookworm-security" finds the security mirror first.
    /// </summary>
    public static IReadOnlyList<string> CandidateMirrors(IEnumerable<AptSourceEntry> entries, string suite)
    {
        var debs = entries.Where(e => e.Type == "deb").ToList();
        return debs.Where(e => e.Suites.Contains(suite))
            .Concat(debs.Where(e => !e.Suites.Contains(suite)))
            .Select(e => e.Uri)
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>One-line format: <c>deb [ option=value ... ] uri suite [component ...]</c>; '#' starts a comment.</summary>
    public static IReadOnlyList<AptSourceEntry> ParseList(string text, string file)
    {
        var result = new List<AptSourceEntry>();
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine;
            int hash = line.IndexOf('#');
            if (hash >= 0) line = line[..hash];
            line = line.Trim();
            if (line.Length == 0) continue;

            var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            int space = line.IndexOfAny([' ', '\t']);
            if (space < 0) continue;
            var type = line[..space];
            var rest = line[space..].TrimStart();
            if (rest.StartsWith('['))
            {
                int close = rest.IndexOf(']');
                if (close < 0) continue; // malformed: apt refuses the line too
                foreach (var option in rest[1..close].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
                {
                    int eq = option.IndexOf('=');
                    if (eq > 0) options[option[..eq].TrimEnd('+', '-')] = option[(eq + 1)..];
                }
                rest = rest[(close + 1)..];
            }
            var words = rest.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (type is not ("deb" or "deb-src") || words.Length < 2) continue;
            result.Add(new AptSourceEntry(type, words[0].TrimEnd('/'), [words[1]], words[2..],
                options.GetValueOrDefault("signed-by"),
                options.TryGetValue("arch", out var arch) ? arch.Split(',', StringSplitOptions.RemoveEmptyEntries) : [],
                file));
        }
        return result;
    }

    /// <summary>deb822 format: paragraphs with Types, URIs, Suites, Components, Signed-By, Architectures, Enabled.</summary>
    public static IReadOnlyList<AptSourceEntry> ParseSources(string text, string file)
    {
        var result = new List<AptSourceEntry>();
        List<Deb822Paragraph> paragraphs;
        try
        {
            paragraphs = Deb822.Parse(text, sourceName: file);
        }
        catch (FormatException)
        {
            return result; // apt would refuse the whole file; so does this reader, without failing the build
        }
        foreach (var p in paragraphs)
        {
            if (string.Equals(p["Enabled"], "no", StringComparison.OrdinalIgnoreCase)) continue;
            var signedBy = p["Signed-By"];
            // An inline key starts on the continuation line, leaving the first line empty.
            if (signedBy != null) signedBy = signedBy.TrimStart('\n');
            foreach (var type in Words(p["Types"]))
            {
                if (type is not ("deb" or "deb-src")) continue;
                foreach (var uri in Words(p["URIs"]))
                    result.Add(new AptSourceEntry(type, uri.TrimEnd('/'), Words(p["Suites"]), Words(p["Components"]),
                        signedBy, Words(p["Architectures"]), file));
            }
        }
        return result;
    }

    private static string[] Words(string? value) =>
        value == null ? [] : value.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
}
