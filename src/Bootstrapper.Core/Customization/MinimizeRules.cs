using System.Text;

namespace Bootstrapper.Core.Customization;

/// <summary>
/// The dpkg filter a [minimize] table stands for: path-exclude and path-include globs in dpkg's own semantics
/// (fnmatch without flags, so '*' also matches '/'; the last pattern that matches a path decides). The same rules
/// remove the paths from the built image and are left in etc/dpkg/dpkg.cfg.d so later installs stay minimal.
/// </summary>
internal sealed class MinimizeRules
{
    /// <summary>Where the rules are left in the image.</summary>
    public const string ConfigPath = "etc/dpkg/dpkg.cfg.d/bootstrap-minimize";

    private readonly List<(bool Include, string Glob)> _rules = [];

    public MinimizeRules(MinimizeSpec spec)
    {
        if (spec.Docs)
        {
            Exclude("/usr/share/doc/*");
            // Licences stay: the SBOM reads them, and Debian asks every installation to keep them.
            Include("/usr/share/doc/*/copyright");
            Exclude("/usr/share/info/*");
        }
        if (spec.Man) Exclude("/usr/share/man/*");
        if (spec.Locales)
        {
            Exclude("/usr/share/locale/*");
            // gettext's alias table is not a translation; programs read it for every locale.
            Include("/usr/share/locale/locale.alias");
            foreach (var kept in spec.KeepLocales) Include($"/usr/share/locale/{kept}/*");
        }
    }

    /// <summary>The directories under which a path can be excluded (where the image is searched).</summary>
    public IEnumerable<string> Roots =>
        _rules.Where(r => !r.Include).Select(r => r.Glob[..r.Glob.LastIndexOf('/')]).Distinct(StringComparer.Ordinal);

    /// <summary>Whether dpkg would leave out the absolute path <paramref name="path"/>.</summary>
    public bool Excludes(string path)
    {
        bool excluded = false;
        foreach (var (include, glob) in _rules)
            if (FnMatch(glob, path)) excluded = !include;
        return excluded;
    }

    /// <summary>The dpkg configuration file's text (dpkg.cfg(5): one option per line, without the dashes).</summary>
    public string ConfigText()
    {
        var sb = new StringBuilder("# Written by bootstrap from the recipe's [minimize]: dpkg leaves these paths out of\n" +
                                   "# every later install too. Remove this file to get them again.\n");
        foreach (var (include, glob) in _rules) sb.Append(include ? "path-include " : "path-exclude ").Append(glob).Append('\n');
        return sb.ToString();
    }

    private void Exclude(string glob) => _rules.Add((false, glob));
    private void Include(string glob) => _rules.Add((true, glob));

    /// <summary>fnmatch(3) with no flags for '*' and '?' (the only wildcards the rules use): '*' matches any run, '/' too.</summary>
    internal static bool FnMatch(string glob, string text)
    {
        int g = 0, t = 0, starG = -1, starT = 0;
        while (t < text.Length)
        {
            if (g < glob.Length && (glob[g] == '?' || glob[g] == text[t])) { g++; t++; }
            else if (g < glob.Length && glob[g] == '*') { starG = g++; starT = t; }
            else if (starG >= 0) { g = starG + 1; t = ++starT; }
            else return false;
        }
        while (g < glob.Length && glob[g] == '*') g++;
        return g == glob.Length;
    }
}
