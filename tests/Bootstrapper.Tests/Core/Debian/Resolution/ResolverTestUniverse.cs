using System.Text;
using Bootstrapper.Core.Debian.Control;
using Bootstrapper.Core.Debian.Resolution;

namespace Bootstrapper.Tests.Core.Debian.Resolution;

/// <summary>Builds small universes from abbreviated stanzas: missing Version, Architecture, Filename, Size are filled in.</summary>
internal static class ResolverTestUniverse
{
    public const string Mirror = "http://127.0.0.1:1/debian";

    public static PackageUniverse Build(params string[] stanzas) => Build([Index("test", stanzas)]);

    public static PackageUniverse Build(IEnumerable<PackagesIndex> indices) => PackageUniverse.Build(indices, "amd64");

    public static PackagesIndex Index(string name, params string[] stanzas)
    {
        var text = new StringBuilder();
        foreach (var stanza in stanzas)
        {
            var lines = stanza.Trim().Split('\n').Select(l => l.TrimEnd()).ToList();
            string Field(string f) => lines.FirstOrDefault(l => l.StartsWith(f + ":", StringComparison.Ordinal))?[(f.Length + 1)..].Trim() ?? "";
            var package = Field("Package");
            if (Field("Version") == "") lines.Add("Version: 1.0-1");
            if (Field("Architecture") == "") lines.Add("Architecture: amd64");
            if (Field("Filename") == "") lines.Add($"Filename: pool/main/{package[0]}/{package}/{package}_{Field("Version")}_{Field("Architecture")}.deb");
            if (Field("Size") == "") lines.Add("Size: 1000");
            text.Append(string.Join('\n', lines)).Append("\n\n");
        }
        return new PackagesIndex(text.ToString(), Mirror, name);
    }

    public static DebianResolution Resolve(PackageUniverse universe, DebianVariant variant = DebianVariant.Essential,
        string[]? include = null, string[]? exclude = null, bool preferUsrIsMerged = true) =>
        DebianResolver.Resolve(universe, new DebianResolveRequest
        {
            Variant = variant,
            Include = include ?? [],
            Exclude = exclude ?? [],
            PreferUsrIsMerged = preferUsrIsMerged,
        });

    public static string[] Names(this DebianResolution resolution) =>
        resolution.Packages.Select(p => p.Package.Name).Order(StringComparer.Ordinal).ToArray();
}
