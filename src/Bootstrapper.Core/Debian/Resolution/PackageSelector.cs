using Bootstrapper.Core.Debian.Control;
using Bootstrapper.Core.Debian.Versions;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Core.Debian.Resolution;

/// <summary>
/// An apt-style package selector from `packages.include`: `name`, `name=version` (that version, from whichever
/// source has it) or `name/suite` (the version the source with that suite has), as `apt-get install` reads them.
/// </summary>
internal sealed record PackageSelector(string Name, string? Version, string? Suite)
{
    /// <summary>The recipe's text ("hello=2.10-3").</summary>
    public string Text => Version is not null ? $"{Name}={Version}" : Suite is not null ? $"{Name}/{Suite}" : Name;

    /// <summary>Whether the selector picks a version rather than leaving it to the candidate rule.</summary>
    public bool PinsVersion => Version is not null || Suite is not null;

    public static PackageSelector Parse(string text)
    {
        int eq = text.IndexOf('='), slash = text.IndexOf('/');
        if (eq > 0) return new(text[..eq], text[(eq + 1)..], null);
        if (slash > 0) return new(text[..slash], null, text[(slash + 1)..]);
        return new(text, null, null);
    }

    /// <summary>Whether <paramref name="package"/> (a stanza of the selected name) is what the selector asks for.</summary>
    public bool Accepts(DebianPackage package) =>
        (Version is null || (DebVersion.TryParse(Version, out var v) && package.Version.Equals(v))) &&
        (Suite is null || SuiteOf(package.IndexName) == Suite);

    /// <summary>The suite of an index name ("bookworm-security/main" -> "bookworm-security").</summary>
    internal static string SuiteOf(string indexName) => indexName.Split('/')[0];

    internal ResolutionException NotAvailable(IReadOnlyList<DebianPackage> seen) => new(
        $"packages.include '{Text}': " + (seen.Count == 0
            ? $"package '{Name}' is not in any source; check the name, the suites and the components"
            : $"no {Name} {(Version is not null ? $"of version {Version}" : $"in suite {Suite}")} in the sources; available: " +
              string.Join(", ", seen.Select(p => $"{p.Version} ({SuiteOf(p.IndexName)})").Distinct()) +
              (Suite is not null ? " (the suite is matched as written in [[sources]])" : "")));
}
