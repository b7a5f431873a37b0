using System.Text.Json;
using System.Text.Json.Nodes;
using Bootstrapper.Core;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Engine.Net.Bundles;

/// <summary>
/// BUNDLE/bootstrap-bundle.json: which mirror each suite of a bundle was originally fetched from. A bundle is used
/// through `--mirror file://BUNDLE`, but `--mirror` changes where packages come from, never what the image
/// contains: the image's apt sources must name the original mirror, not a path on the build machine.
/// </summary>
/// <example>{ "format": 1, "suites": { "bookworm": "http://mirror.example/debian" } }</example>
internal sealed record BundleMetadata(IReadOnlyDictionary<string, string> OriginalMirrors)
{
    public const string FileName = "bootstrap-bundle.json";
    public const int Format = 1;

    public string ToJson() => JsonOutput.Document(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("format", Format);
        w.WriteStartObject("suites");
        foreach (var (suite, mirror) in OriginalMirrors.OrderBy(s => s.Key, StringComparer.Ordinal))
            w.WriteString(suite, mirror);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    /// <summary>The metadata of a bundle folder; null when the folder has none (a plain local mirror).</summary>
    /// <exception cref="RecipeException">The file exists but is not bundle metadata of a known format.</exception>
    public static BundleMetadata? TryRead(string bundleDirectory)
    {
        var path = Path.Combine(bundleDirectory, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            var root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new FormatException("not a JSON object");
            var format = root["format"]?.GetValue<int>() ?? throw new FormatException("no \"format\"");
            if (format != Format)
                throw new FormatException($"format {format} is not supported (this build reads format {Format}); use a newer bootstrap");
            var suites = root["suites"] as JsonObject ?? throw new FormatException("no \"suites\" object");
            return new BundleMetadata(suites.ToDictionary(s => s.Key,
                s => s.Value?.GetValue<string>() ?? throw new FormatException($"suite '{s.Key}' has no mirror URL"),
                StringComparer.Ordinal));
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new RecipeException($"{path}: not valid bundle metadata ({e.Message}); write the bundle again with `bootstrap fetch --bundle`", e);
        }
    }

    /// <summary>The local folder of a file:// URL, or null for other schemes.</summary>
    public static string? LocalPath(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.IsFile ? uri.LocalPath : null;
}
