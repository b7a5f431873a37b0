using System.Text;

namespace Bootstrapper.Core.Debian.Control;

/// <summary>
/// /var/lib/apt/extended_states: which installed packages apt counts as automatically installed, so that
/// `apt-get autoremove` may remove them once nothing needs them. Marks as the official images and apt give them:
/// what the recipe names in `include` is manual; everything else (the variant's base set and what the includes
/// pull in) is automatic. apt lists only automatic packages, one stanza each; arch:all packages under the native
/// architecture, as apt records them.
/// </summary>
internal static class AptExtendedStates
{
    public const string RelativePath = "var/lib/apt/extended_states";

    /// <param name="installed">Every installed package: name and architecture (as in its control file).</param>
    /// <param name="manual">The packages the recipe asked for by name.</param>
    /// <param name="nativeArchitecture">dpkg's native architecture ("amd64").</param>
    public static string Render(IEnumerable<(string Name, string Architecture)> installed, IReadOnlyCollection<string> manual,
        string nativeArchitecture)
    {
        var text = new StringBuilder();
        foreach (var (name, architecture) in installed
                     .Where(p => !manual.Contains(p.Name))
                     .Select(p => (p.Name, Architecture: p.Architecture == "all" ? nativeArchitecture : p.Architecture))
                     .Distinct()
                     .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Architecture, StringComparer.Ordinal))
        {
            if (text.Length > 0) text.Append('\n');
            text.Append("Package: ").Append(name).Append('\n')
                .Append("Architecture: ").Append(architecture).Append('\n')
                .Append("Auto-Installed: 1\n");
        }
        return text.ToString();
    }

    /// <summary>/var/lib/dpkg/arch: the native architecture first, then foreign ones (none here), one a line.</summary>
    public static string DpkgArch(string nativeArchitecture) => nativeArchitecture + "\n";
}
