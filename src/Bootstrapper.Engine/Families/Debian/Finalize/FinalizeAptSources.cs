using System.Text;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Engine.Families.Debian.Finalize;

/// <summary>Renders the image's apt sources in deb822 form, as the official images ship them.</summary>
internal static class FinalizeAptSources
{
    /// <summary>Relative path of the file written for Debian (the official bookworm image's name for it).</summary>
    public const string RelativePath = "etc/apt/sources.list.d/debian.sources";

    /// <summary>
    /// The file's path for a distribution, named as its own images name it: debian.sources (Debian's official
    /// images), ubuntu.sources (Ubuntu's since 24.04 noble).
    /// </summary>
    public static string RelativePathFor(string vendor) => $"etc/apt/sources.list.d/{vendor}.sources";

    private static readonly string[] AllowedSchemes = ["http", "https", "tor+http", "tor+https", "mirror+http", "mirror+https", "s3"];

    public static string Render(IReadOnlyList<AptSource> sources)
    {
        if (sources.Count == 0)
            throw new RecipeException("The image needs at least one apt source; give the mirror users of the image should use.");
        var sb = new StringBuilder();
        foreach (var s in sources)
        {
            Check(s);
            if (sb.Length > 0) sb.Append('\n');
            sb.Append("Types: ").Append(string.Join(' ', s.Types)).Append('\n');
            sb.Append("URIs: ").Append(string.Join(' ', s.Uris)).Append('\n');
            sb.Append("Suites: ").Append(string.Join(' ', s.Suites)).Append('\n');
            sb.Append("Components: ").Append(string.Join(' ', s.Components)).Append('\n');
            if (s.SignedBy is not null) sb.Append("Signed-By: ").Append(s.SignedBy).Append('\n');
            if (!s.CheckValidUntil) sb.Append("Check-Valid-Until: no\n");
        }
        return sb.ToString();
    }

    private static void Check(AptSource s)
    {
        if (s.Types.Count == 0 || s.Types.Any(t => t is not ("deb" or "deb-src")))
            throw new RecipeException($"apt source types must be 'deb' or 'deb-src', got '{string.Join(' ', s.Types)}'.");
        if (s.Uris.Count == 0 || s.Suites.Count == 0)
            throw new RecipeException("An apt source needs at least one URI and one suite.");
        foreach (var u in s.Uris)
        {
            var colon = u.IndexOf("://", StringComparison.Ordinal);
            var scheme = colon < 0 ? "" : u[..colon];
            if (!AllowedSchemes.Contains(scheme) || !Uri.TryCreate(u, UriKind.Absolute, out _))
                throw new RecipeException(
                    $"The image's apt source '{u}' is not a network URL (http/https). A file: or copy: source would point " +
                    "at a path of the build host; give the mirror users of the image should reach.");
        }
        foreach (var field in s.Suites.Concat(s.Components).Concat(s.Uris).Append(s.SignedBy ?? ""))
            if (field.Any(c => c is '\n' or '\r') || (field != (s.SignedBy ?? "") && field.Any(char.IsWhiteSpace)))
                throw new RecipeException($"apt source field '{field}' contains white space or a line break.");
    }
}
