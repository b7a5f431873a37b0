using System.Text;
using System.Text.RegularExpressions;
using Bootstrapper.Core.Debian.Control;
using Bootstrapper.Core.Images.Sbom;

namespace Bootstrapper.Core.Debian.Copyright;

/// <summary>
/// The licence of a Debian package from its /usr/share/doc/PKG/copyright, when that file is machine-readable
/// (copyright-format 1.0, "DEP-5"): the License of the "Files: *" paragraph (else the header's License, which
/// summarises the whole package), as an SPDX expression.
/// </summary>
/// <remarks>
/// Rules followed (copyright-format 1.0): the file starts with a header paragraph carrying "Format:" (drafts used
/// "Format-Specification:"); a License field's first line is a short-name expression where "or" is a choice and
/// "and" binds tighter; a comma separates groups at the lowest precedence ("A or B, and C" is (A or B) and C); a
/// trailing "+" means "or any later version"; "X with Y exception" adds an exception. Only names that map to one
/// SPDX id without judgment are mapped; anything else (BSD-variant, "MIT/X11", custom names, unknown exceptions)
/// gives null, because a wrong licence in an SBOM is worse than NOASSERTION.
/// </remarks>
internal static partial class Dep5Copyright
{
    /// <summary>The SPDX expression for the "Files: *" licence, or null when the file is not machine-readable,
    /// has no such paragraph, or names a licence that does not map cleanly.</summary>
    public static string? TryGetLicense(string copyrightFileText)
    {
        List<Deb822Paragraph> paragraphs;
        try
        {
            // All fields are kept: a paragraph whose fields were all filtered out would vanish, and the header must
            // be the file's first paragraph, not the first one that happens to mention "Format".
            paragraphs = Deb822.Parse(copyrightFileText);
        }
        catch (FormatException)
        {
            return null; // free-form text that happens to start like a field
        }
        if (paragraphs.Count == 0) return null;
        var header = paragraphs[0];
        if (header["Format"] is null && header["Format-Specification"] is null) return null;

        var all = paragraphs.Skip(1).FirstOrDefault(p =>
            p["Files"] is { } files && files.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries).Contains("*"));
        // The header may carry a License for the package as a whole: the fallback when no "Files: *" paragraph says.
        var license = all?["License"] ?? header["License"];
        if (license is null) return null;
        var shortNames = license.Split('\n')[0].Trim();
        return shortNames.Length == 0 ? null : ToSpdx(shortNames);
    }

    /// <summary>Converts a DEP-5 licence short-name expression ("GPL-2+ or Artistic, and Expat") to SPDX, or null.</summary>
    public static string? ToSpdx(string shortNames)
    {
        var groups = new List<(string? Operator, string Expression)>();
        foreach (var (part, index) in shortNames.Split(',').Select((p, i) => (p.Trim(), i)))
        {
            var words = part.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).ToList();
            string? op = null;
            if (index > 0)
            {
                // After a comma the group starts with its operator; a bare comma list has no defined meaning.
                if (words.Count == 0 || words[0].ToLowerInvariant() is not ("and" or "or")) return null;
                op = words[0].ToUpperInvariant();
                words.RemoveAt(0);
            }
            var expression = Group(words);
            if (expression is null) return null;
            groups.Add((op, expression));
        }
        if (groups.Count == 0) return null;
        if (groups.Count == 1) return groups[0].Expression;
        var result = new StringBuilder();
        foreach (var (op, expression) in groups)
        {
            if (op is not null) result.Append(' ').Append(op).Append(' ');
            result.Append(expression.Contains(' ') ? "(" + expression + ")" : expression);
        }
        return result.ToString();
    }

    /// <summary>One comma-free group: terms joined by "or" / "and" (AND binds tighter in SPDX too, so the order of
    /// words carries over unchanged).</summary>
    private static string? Group(List<string> words)
    {
        if (words.Count == 0) return null;
        var output = new List<string>();
        var term = new List<string>();
        foreach (var word in words.Append("or"))
        {
            var lower = word.ToLowerInvariant();
            if (lower is "or" or "and")
            {
                var spdx = Term(term);
                if (spdx is null) return null;
                output.Add(spdx);
                output.Add(lower.ToUpperInvariant());
                term.Clear();
            }
            else term.Add(word);
        }
        output.RemoveAt(output.Count - 1);
        return string.Join(' ', output);
    }

    /// <summary>"GPL-2+" or "GPL-2+ with OpenSSL exception".</summary>
    private static string? Term(List<string> words)
    {
        if (words.Count == 0) return null;
        var license = License(words[0]);
        if (license is null) return null;
        if (words.Count == 1) return license;
        // A name that already carries its exception (APACHE-2-LLVM-EXCEPTIONS) cannot take a second one.
        if (!words[1].Equals("with", StringComparison.OrdinalIgnoreCase) || words.Count < 3 || license.Contains(' '))
            return null;
        var exception = Exception(string.Join('-', words.Skip(2)));
        return exception is null ? null : license + " WITH " + exception;
    }

    private static string? License(string shortName)
    {
        if (Licenses.TryGetValue(shortName, out var id)) return id;
        var gnu = GnuLicense().Match(shortName);
        if (gnu.Success)
            return Gnu(gnu.Groups["family"].Value.ToUpperInvariant(), gnu.Groups["version"].Value,
                gnu.Groups["later"].Success || gnu.Groups["spdx"].Value.Equals("-or-later", StringComparison.OrdinalIgnoreCase));
        return null;
    }

    /// <summary>
    /// GPL-2 -> GPL-2.0-only, LGPL-2.1+ -> LGPL-2.1-or-later, GFDL-NIV-1.3+ -> GFDL-1.3-no-invariants-or-later.
    /// Without a version ("GPL", as PAM's copyright writes it) the licence's own terms apply: "If the Program does
    /// not specify a version number of this License, you may choose any version ever published" (GPL; the LGPL
    /// says the same, and began at 2.0), which SPDX spells GPL-1.0-or-later / LGPL-2.0-or-later.
    /// </summary>
    private static string? Gnu(string family, string version, bool orLater)
    {
        if (version.Length == 0)
        {
            if (family is not ("GPL" or "LGPL")) return null;
            (version, orLater) = (family == "GPL" ? "1.0" : "2.0", true);
        }
        if (!version.Contains('.')) version += ".0";
        var valid = family switch
        {
            "GPL" => version is "1.0" or "2.0" or "3.0",
            "LGPL" => version is "2.0" or "2.1" or "3.0",
            "AGPL" => version is "1.0" or "3.0",
            "GFDL" or "GFDL-NIV" => version is "1.1" or "1.2" or "1.3",
            _ => false,
        };
        if (!valid) return null;
        var suffix = orLater ? "-or-later" : "-only";
        return family == "GFDL-NIV" ? $"GFDL-{version}-no-invariants{suffix}" : $"{family}-{version}{suffix}";
    }

    /// <summary>Every expression the name tables can produce (for checking them against the SPDX licence list).</summary>
    internal static IEnumerable<string> TableExpressions =>
        Licenses.Values.Concat(Exceptions.Values.Select(e => "MIT WITH " + e)).Distinct();

    private static string? Exception(string words)
    {
        var key = words.ToLowerInvariant();
        if (key.EndsWith("-exception", StringComparison.Ordinal)) key = key[..^"-exception".Length];
        return Exceptions.GetValueOrDefault(key);
    }

    // DEP-5 short names (and SPDX ids Debian maintainers also write) that mean exactly one SPDX id. Case-insensitive:
    // the format says short names are, and "BSD-3-clause" / "BSD-3-Clause" both occur.
    private static readonly Dictionary<string, string> Licenses = new(StringComparer.OrdinalIgnoreCase)
    {
        ["public-domain"] = SpdxLicense.RefPrefix + "public-domain",
        // Not the format's standard name, but the usual abbreviation (xz's copyright: "License: PD").
        ["PD"] = SpdxLicense.RefPrefix + "public-domain",
        ["AFL-2.1"] = "AFL-2.1",
        ["AFL-3.0"] = "AFL-3.0",
        ["Apache-1.0"] = "Apache-1.0",
        ["Apache-1.1"] = "Apache-1.1",
        ["Apache-2.0"] = "Apache-2.0",
        ["Apache-2"] = "Apache-2.0",
        // common-licenses/Artistic is Perl's Artistic licence (1.0), SPDX "Artistic-1.0-Perl".
        ["Artistic"] = "Artistic-1.0-Perl",
        ["Artistic-1.0"] = "Artistic-1.0",
        ["Artistic-2.0"] = "Artistic-2.0",
        ["BSD-2-clause"] = "BSD-2-Clause",
        ["BSD-3-clause"] = "BSD-3-Clause",
        ["BSD-4-clause"] = "BSD-4-Clause",
        ["BSL-1.0"] = "BSL-1.0",
        ["Boost-1.0"] = "BSL-1.0",
        ["CC0-1.0"] = "CC0-1.0",
        ["CC0"] = "CC0-1.0",
        ["CC-BY-3.0"] = "CC-BY-3.0",
        ["CC-BY-4.0"] = "CC-BY-4.0",
        ["CC-BY-SA-3.0"] = "CC-BY-SA-3.0",
        ["CC-BY-SA-4.0"] = "CC-BY-SA-4.0",
        ["CDDL-1.0"] = "CDDL-1.0",
        ["CDDL-1.1"] = "CDDL-1.1",
        ["curl"] = "curl",
        ["EPL-1.0"] = "EPL-1.0",
        ["EPL-2.0"] = "EPL-2.0",
        ["Expat"] = "MIT",
        ["MIT"] = "MIT",
        ["ISC"] = "ISC",
        ["LPPL-1.3c"] = "LPPL-1.3c",
        ["MPL-1.1"] = "MPL-1.1",
        ["MPL-2.0"] = "MPL-2.0",
        ["OpenSSL"] = "OpenSSL",
        ["Python-2.0"] = "Python-2.0",
        ["PSF-2"] = "PSF-2.0",
        ["Unicode-DFS-2016"] = "Unicode-DFS-2016",
        ["W3C"] = "W3C",
        ["X11"] = "X11",
        ["Zlib"] = "Zlib",
        ["Zope-2.1"] = "ZPL-2.1",
        ["ZPL-2.1"] = "ZPL-2.1",
        ["FSFULLR"] = "FSFULLR",
        ["FTL"] = "FTL",
        ["libpng"] = "Libpng",
        ["OpenLDAP-2.8"] = "OLDAP-2.8",
        ["PostgreSQL"] = "PostgreSQL",
        ["Sleepycat"] = "Sleepycat",
        ["Tcl"] = "TCL",
        ["Vim"] = "Vim",
        // Debian's LLVM packages name the licence with its exception in one word.
        ["APACHE-2-LLVM-EXCEPTIONS"] = "Apache-2.0 WITH LLVM-exception",
        ["0BSD"] = "0BSD",
        ["Unlicense"] = "Unlicense",
    };

    // "with X exception" names seen in Debian copyright files that name one SPDX exception.
    private static readonly Dictionary<string, string> Exceptions = new(StringComparer.Ordinal)
    {
        ["font"] = "Font-exception-2.0",
        ["gcc-3.1"] = "GCC-exception-3.1",
        ["gcc-exception-3.1"] = "GCC-exception-3.1",
        ["gcc-2.0"] = "GCC-exception-2.0",
        ["gcc-exception-2.0"] = "GCC-exception-2.0",
        ["classpath"] = "Classpath-exception-2.0",
        ["classpath-2.0"] = "Classpath-exception-2.0",
        ["libtool"] = "Libtool-exception",
        ["bison"] = "Bison-exception-2.2",
        ["bison-2.2"] = "Bison-exception-2.2",
        ["llvm"] = "LLVM-exception",
    };

    // GPL-2, GPL-2+, GPL-2.0+, LGPL-2.1+, AGPL-3, GFDL-1.3, GFDL-NIV-1.3+; the SPDX spellings maintainers also write
    // (GPL-2.0-only, LGPL-2.1-or-later); and GPL / LGPL without a version.
    [GeneratedRegex(@"^(?<family>GPL|LGPL|AGPL|GFDL-NIV|GFDL)(-(?<version>\d(\.\d)?)((?<later>\+)|(?<spdx>-only|-or-later))?)?$", RegexOptions.IgnoreCase)]
    private static partial Regex GnuLicense();
}
