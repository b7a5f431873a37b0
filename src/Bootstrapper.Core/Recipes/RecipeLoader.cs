using System.Text.Json.Nodes;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Core.Recipes;

/// <summary>
/// Reads a TOML recipe: syntax, then duplicates, then the JSON schema, then meaning (files that must exist).
/// Every failure is a <see cref="RecipeException"/> that names the file, the line and the key path.
/// </summary>
public static class RecipeLoader
{
    public static Recipe Load(string path, string? workingDirectory = null)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new RecipeException($"{path}: recipe file not found");
        return Parse(File.ReadAllText(full), full, workingDirectory ?? Environment.CurrentDirectory, checkFiles: true);
    }

    /// <summary>Parses recipe text. <paramref name="sourcePath"/> names the file in messages and anchors relative paths.</summary>
    public static Recipe Parse(string text, string sourcePath, string workingDirectory, bool checkFiles = false)
    {
        var display = DisplayName(sourcePath);
        var (doc, lines) = TomlToJson.Convert(text, display);

        var violations = RecipeSchema.Validate(doc);
        if (violations.Count > 0)
        {
            var v = violations[0];
            var more = violations.Count > 1 ? $" ({violations.Count - 1} more problem(s) after this one)" : "";
            throw new RecipeException($"{display}:{LineOf(lines, v.Pointer)}: {Describe(doc, v)}{more}");
        }

        var dir = Path.GetDirectoryName(sourcePath)!;
        var family = (string)doc["family"]! == "alpine" ? DistroFamily.Alpine : DistroFamily.Debian;
        var familyName = family == DistroFamily.Alpine ? "alpine" : "debian";

        var keyrings = new List<string>();
        var keyringArray = doc["keyrings"]!.AsArray();
        for (int i = 0; i < keyringArray.Count; i++)
        {
            var k = Path.GetFullPath(Path.Combine(dir, (string)keyringArray[i]!));
            if (checkFiles && !File.Exists(k) && !Directory.Exists(k))
                throw new RecipeException(
                    $"{display}:{LineOf(lines, $"/keyrings/{i}")}: keyrings[{i}]: file '{k}' does not exist " +
                    "(paths are relative to the recipe's folder)");
            keyrings.Add(k);
        }

        var sources = doc["sources"]!.AsArray().Select(node =>
        {
            var s = node!.AsObject();
            return new RecipeSource
            {
                Suite = (string)s["suite"]!,
                Components = Strings(s["components"]) is { Count: > 0 } c ? c : ["main"],
                Archive = (string?)s["archive"] ?? familyName,
                Mirror = ((string?)s["mirror"])?.TrimEnd('/'),
            };
        }).ToList();

        var packages = doc["packages"]?.AsObject();
        var output = doc["output"]?.AsObject();
        var image = doc["image"]?.AsObject();
        var name = (string)doc["name"]!;
        var outPath = (string?)output?["path"] ?? name + ".tar";

        return new Recipe
        {
            SourcePath = sourcePath,
            Name = name,
            Family = family,
            Architecture = (string)doc["architecture"]!,
            Keyrings = keyrings,
            Sources = sources,
            Packages = new PackageSelection
            {
                Variant = (string?)packages?["variant"] ?? (family == DistroFamily.Debian ? "minbase" : null),
                Include = Strings(packages?["include"]),
                Exclude = Strings(packages?["exclude"]),
            },
            Image = new ImageSettings
            {
                ContainerConfig = (bool?)image?["container_config"] ?? false,
                Slim = (bool?)image?["slim"] ?? false,
            },
            Output = new OutputSettings
            {
                Path = Path.GetFullPath(Path.Combine(workingDirectory, outPath)),
                Compression = (string?)output?["compression"] ?? "auto",
                Hostname = (string?)output?["hostname"],
                SourceDateEpoch = (long?)output?["source_date_epoch"],
            },
        };
    }

    private static List<string> Strings(JsonNode? node) =>
        node is JsonArray a ? a.Select(x => (string)x!).ToList() : [];

    private static string DisplayName(string path)
    {
        var rel = Path.GetRelativePath(Environment.CurrentDirectory, path);
        return rel.StartsWith("..", StringComparison.Ordinal) ? path : rel;
    }

    private static int LineOf(IReadOnlyDictionary<string, int> lines, string pointer)
    {
        for (var p = pointer; ; p = p[..p.LastIndexOf('/')])
        {
            if (lines.TryGetValue(p, out var line)) return line;
            if (p.Length == 0) return 1;
        }
    }

    /// <summary>Turns a schema violation into a sentence a recipe author can act on.</summary>
    private static string Describe(JsonObject doc, RecipeSchema.Violation v)
    {
        var keyPath = TomlToJson.ToKeyPath(v.Pointer);
        switch (v.Keyword)
        {
            case "false" when v.SchemaPath.Contains("/then", StringComparison.Ordinal):
                return $"'{keyPath}' is not allowed for family '{doc["family"]}' (see recipes.schema.json)";
            case "false":
            {
                var parentPointer = v.Pointer[..v.Pointer.LastIndexOf('/')];
                var allowed = RecipeSchemaKeys.AllowedAt(parentPointer);
                return $"'{keyPath}' is not a recipe key here" +
                       (allowed.Count > 0 ? $"; allowed keys: {string.Join(", ", allowed)}" : "") +
                       " (see recipes.schema.json)";
            }
            case "required":
            {
                var names = v.Message.Contains('[')
                    ? v.Message[(v.Message.IndexOf('[') + 1)..v.Message.IndexOf(']')].Replace("\"", "")
                    : v.Message;
                return $"{(v.Pointer.Length == 0 ? "the recipe" : $"'{keyPath}'")} is missing required key(s): {names}";
            }
            case "enum":
                return $"'{keyPath}' must be one of: {string.Join(", ", RecipeSchemaKeys.EnumAt(v.Pointer))}";
            case "pattern":
                return $"'{keyPath}' has the wrong form: it must match {RecipeSchemaKeys.PatternAt(v.Pointer)}";
            case "type":
                return $"'{keyPath}' has the wrong type: {v.Message.Replace("Value is", "the value is")}";
            default:
                return $"'{keyPath}': {v.Message}";
        }
    }
}
