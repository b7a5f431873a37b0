using System.Text.Json.Nodes;
using Bootstrapper.Core.Customization;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Core.Recipes;

/// <summary>
/// Reads a TOML recipe: syntax, then duplicates, then the JSON schema, then meaning (files that must exist).
/// Every failure is a <see cref="RecipeException"/> that names the file, the line and the key path.
/// </summary>
internal static class RecipeLoader
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

        // One of the two, said before the schema (whose "anyOf" message would not name the keys).
        if (doc["architecture"] is null && doc["architectures"] is null)
            throw new RecipeException($"{display}:1: the recipe is missing required key(s): architecture (or architectures, a list)");
        if (doc["architecture"] is not null && doc["architectures"] is not null)
            throw new RecipeException($"{display}:{LineOf(lines, "/architectures")}: give either 'architecture' or 'architectures', not both");

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
                CheckValidUntil = (bool?)s["check_valid_until"] ?? true,
            };
        }).ToList();

        var packages = doc["packages"]?.AsObject();
        var output = doc["output"]?.AsObject();
        var name = (string)doc["name"]!;
        var outPath = (string?)output?["path"] ?? name + ".tar";

        return new Recipe
        {
            SourcePath = sourcePath,
            Name = name,
            Family = family,
            Architecture = (string?)doc["architecture"] ?? Strings(doc["architectures"])[0],
            Architectures = Strings(doc["architectures"]),
            Keyrings = keyrings,
            Sources = sources,
            Packages = new PackageSelection
            {
                Variant = (string?)packages?["variant"] ?? (family == DistroFamily.Debian ? "minbase" : null),
                Include = Strings(packages?["include"]),
                Exclude = Strings(packages?["exclude"]),
            },
            Snapshot = (string?)doc["snapshot"] is { } snapshot ? SnapshotTime.Parse(snapshot, $"{display}: snapshot") : null,
            Output = new OutputSettings
            {
                Path = Path.GetFullPath(Path.Combine(workingDirectory, outPath)),
                Compression = (string?)output?["compression"] ?? "auto",
                Hostname = (string?)output?["hostname"],
                SourceDateEpoch = (long?)output?["source_date_epoch"],
            },
            Image = ImageSettingsOf(doc["image"]?.AsObject()),
            Customize = CustomizationReader.Read(doc, dir, checkFiles,
                (pointer, message) => new RecipeException($"{display}:{LineOf(lines, pointer)}: {message}")),
        };
    }

    private static ImageSettings? ImageSettingsOf(JsonObject? image) => image is null ? null : new()
    {
        ContainerConfig = (bool?)image["container_config"] ?? false,
        Slim = (bool?)image["slim"] ?? false,
        Env = image["env"] is JsonObject env ? env.Select(e => $"{e.Key}={(string)e.Value!}").ToList() : [],
        Entrypoint = image["entrypoint"] is JsonArray ? Strings(image["entrypoint"]) : null,
        Cmd = image["cmd"] is JsonArray ? Strings(image["cmd"]) : null,
        User = (string?)image["user"],
        Workdir = (string?)image["workdir"],
        Labels = image["labels"] is JsonObject labels
            ? labels.ToDictionary(l => l.Key, l => (string)l.Value!, StringComparer.Ordinal)
            : new Dictionary<string, string>(),
        Version = (string?)image["version"],
        Source = (string?)image["source"],
    };

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
            case "pattern" or "maxLength" when v.Pointer == "/output/hostname":
                return $"'output.hostname' = \"{doc["output"]?["hostname"]}\" is not a valid host name (dot-separated labels of " +
                       "1-63 letters, digits and inner '-', at most 253 characters); shorten it, or leave it out (the container " +
                       "runtime sets one)";
            case "pattern":
                return $"'{keyPath}' has the wrong form: it must match {RecipeSchemaKeys.PatternAt(v.Pointer, v.SchemaPath)}";
            case "type":
                return $"'{keyPath}' has the wrong type: {v.Message.Replace("Value is", "the value is")}";
            default:
                return $"'{keyPath}': {v.Message}";
        }
    }
}
