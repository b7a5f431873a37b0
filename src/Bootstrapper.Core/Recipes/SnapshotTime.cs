using System.Globalization;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Core.Recipes;

/// <summary>
/// A snapshot time (recipe `snapshot`, --snapshot) and the URL of a source at that time. Snapshot services key their
/// copies by a compact UTC stamp (20261101T000000Z); the recipe spells the time in ISO form, which people read.
/// </summary>
internal static class SnapshotTime
{
    public const string TemplateVariable = "BOOTSTRAP_SNAPSHOT_URL";

    /// <exception cref="RecipeException">Not of the form 2026-11-01T00:00:00Z.</exception>
    public static DateTimeOffset Parse(string value, string what)
    {
        if (DateTimeOffset.TryParseExact(value, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
            return t;
        throw new RecipeException($"{what} '{value}' is not a UTC time of the form 2026-11-01T00:00:00Z");
    }

    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The stamp snapshot services put in their URLs: 20261101T000000Z.</summary>
    public static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// Fills a template such as http://snapshot.internal/archive/{archive}/{timestamp}: {archive} is the source's
    /// archive ("debian", "debian-security"), {timestamp} the stamp.
    /// </summary>
    /// <exception cref="RecipeException">The template lacks {timestamp} or is not an http(s)/file URL.</exception>
    public static string Url(string template, string origin, string archive, DateTimeOffset time)
    {
        if (!template.Contains("{timestamp}", StringComparison.Ordinal))
            throw new RecipeException($"snapshot URL template '{template}' (from {origin}) has no {{timestamp}}; " +
                                      "write it like http://snapshot.internal/archive/{archive}/{timestamp}");
        var url = template.Replace("{archive}", archive, StringComparison.Ordinal)
            .Replace("{timestamp}", Stamp(time), StringComparison.Ordinal).TrimEnd('/');
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https" or "file"))
            throw new RecipeException($"snapshot URL template '{template}' (from {origin}) does not give an http, https or file:// URL");
        return url;
    }
}
