using System.Text.RegularExpressions;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Core.Recipes;

/// <summary>
/// The command line's --mirror values: a plain URL replaces the mirror of every source, ARCHIVE=URL only that of the
/// sources with that `archive` (the security archive lives at another path, often on another host, than the main one).
/// </summary>
internal sealed partial record MirrorOverrides(string? Every, IReadOnlyDictionary<string, string> ByArchive)
{
    public static MirrorOverrides None { get; } = new(null, new Dictionary<string, string>());

    /// <summary>The URL that replaces <paramref name="source"/>'s mirror, and the words naming where it came from.</summary>
    public (string Url, string Origin)? For(RecipeSource source) =>
        ByArchive.TryGetValue(source.Archive, out var url) ? (url, $"--mirror {source.Archive}=")
        : Every is { Length: > 0 } every ? (every, "--mirror")
        : null;

    /// <summary>A warning per ARCHIVE=URL that no source of the recipe uses (a typo would silently change nothing).</summary>
    public IEnumerable<string> UnusedBy(string recipeName, IReadOnlyList<RecipeSource> sources) =>
        ByArchive.Keys.Where(a => sources.All(s => s.Archive != a)).Order(StringComparer.Ordinal).Select(a =>
            $"--mirror {a}=: no source of recipe '{recipeName}' has archive '{a}' (its archives: " +
            $"{string.Join(", ", sources.Select(s => s.Archive).Distinct())}); this --mirror changes nothing for it");

    /// <summary>ARCHIVE=URL when the part before '=' is an archive name (an URL's scheme has a ':' before any '=').</summary>
    /// <exception cref="RecipeException">Two values for one archive, or two plain URLs.</exception>
    public static MirrorOverrides Parse(IEnumerable<string> values)
    {
        string? every = null;
        var byArchive = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            if (ArchiveForm().Match(value) is { Success: true } m)
            {
                var archive = m.Groups[1].Value;
                if (!byArchive.TryAdd(archive, m.Groups[2].Value))
                    throw new RecipeException($"--mirror {archive}= is given twice ({byArchive[archive]} and {m.Groups[2].Value}); give one URL per archive");
            }
            else if (every != null)
                throw new RecipeException($"--mirror URL is given twice ({every} and {value}); give one URL for every source, " +
                                          "or one per archive as --mirror ARCHIVE=URL (for example --mirror debian-security=URL)");
            else
                every = value;
        }
        return new MirrorOverrides(every, byArchive);
    }

    [GeneratedRegex("^([a-z0-9][a-z0-9._-]*)=(.+)$")]
    private static partial Regex ArchiveForm();
}
