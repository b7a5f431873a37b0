using System.Text.Json.Nodes;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Core.Customization;

/// <summary>
/// Reads the customization keys of a schema-checked recipe document. What the schema cannot say (a source outside
/// the recipe's folder, a missing file, a mode on a tree, `..` in a destination) is checked here, each failure
/// naming the recipe line through <c>fail</c>.
/// </summary>
internal static class CustomizationReader
{
    /// <param name="fail">Makes the error for a JSON pointer and a message (the loader adds file and line).</param>
    public static CustomizationSteps Read(JsonObject doc, string recipeDirectory, bool checkFiles, Func<string, string, RecipeException> fail)
    {
        var system = doc["system"]?.AsObject();
        return new CustomizationSteps
        {
            Files = Items(doc, "files").Select((f, i) => File(f, i, recipeDirectory, checkFiles, fail)).ToList(),
            Groups = Items(doc, "groups").Select(g => new GroupSpec((string)g["name"]!, (int?)(long?)g["gid"],
                (bool?)g["system"] ?? false)).ToList(),
            Users = Items(doc, "users").Select(u => new UserSpec((string)u["name"]!, (int?)(long?)u["uid"], (string?)u["group"],
                Strings(u["groups"]), (string?)u["home"], (string?)u["shell"], (string?)u["comment"],
                (bool?)u["system"] ?? false)).ToList(),
            Run = RunSteps(doc, fail),
            Timezone = (string?)system?["timezone"],
            Locale = (string?)system?["locale"],
            ImageSources = Items(doc, "image_sources").Select((s, i) => new ImageSourceSpec(Strings(s["uris"]), Strings(s["suites"]),
                Strings(s["components"]) is { Count: > 0 } c ? c : ["main"],
                s["key"] is { } key ? Beside(recipeDirectory, (string)key!, $"/image_sources/{i}/key", checkFiles, fail, fileOnly: true) : null,
                (string?)s["signed_by"])).ToList(),
            Minimize = doc["minimize"] is JsonObject m
                ? new MinimizeSpec((bool?)m["docs"] ?? true, (bool?)m["man"] ?? true, (bool?)m["locales"] ?? true, Strings(m["keep_locales"]))
                : null,
        };
    }

    private static FileSpec File(JsonObject f, int i, string recipeDirectory, bool checkFiles, Func<string, string, RecipeException> fail)
    {
        var key = $"files[{i}]";
        var path = (string)f["path"]!;
        if (path.Split('/').Any(part => part is "." or ".."))
            throw fail($"/files/{i}/path", $"'{key}.path' must not contain '.' or '..' segments: '{path}'");
        if (path.TrimEnd('/').Length == 0)
            throw fail($"/files/{i}/path", $"'{key}.path' must name something below '/', not the root itself");
        var source = f["source"] is { } s ? Beside(recipeDirectory, (string)s!, $"/files/{i}/source", checkFiles, fail, fileOnly: false) : null;
        uint? mode = f["mode"] is { } m ? Convert.ToUInt32((string)m!, 8) : null;
        if (mode is not null && source is not null && Directory.Exists(source))
            throw fail($"/files/{i}/mode",
                $"'{key}.mode' applies to a single file; the tree '{(string)f["source"]!}' keeps 0644, or 0755 where the execute bit is set");
        return new FileSpec(path.TrimEnd('/'), source, (string?)f["content"], mode, (string?)f["owner"], key);
    }

    private static List<RunStep> RunSteps(JsonObject doc, Func<string, string, RecipeException> fail)
    {
        var steps = new List<RunStep>();
        foreach (var (r, i) in Items(doc, "run").Select((r, i) => (r, i)))
        {
            var name = (string)r["name"]!;
            if (steps.Any(s => s.Name == name))
                throw fail($"/run/{i}/name", $"'run[{i}].name' \"{name}\" is used by an earlier step; give each step its own name");
            var stage = (string?)r["stage"] switch
            {
                "after-essential" => RunStage.AfterEssential,
                "before-pack" => RunStage.BeforePack,
                _ => RunStage.AfterPackages,
            };
            steps.Add(new RunStep(name, stage, (string)r["command"]!, (bool?)r["network"] ?? false));
        }
        return steps;
    }

    /// <summary>A path beside the recipe: relative to its folder and inside it (what is shipped with the recipe).</summary>
    private static string Beside(string recipeDirectory, string relative, string pointer, bool checkFiles,
        Func<string, string, RecipeException> fail, bool fileOnly)
    {
        var full = Path.GetFullPath(Path.Combine(recipeDirectory, relative));
        var inside = Path.GetRelativePath(recipeDirectory, full);
        var key = TomlKey(pointer);
        if (Path.IsPathRooted(relative) || inside == ".." || inside.StartsWith("../", StringComparison.Ordinal))
            throw fail(pointer, $"'{key}' must be a path inside the recipe's folder {recipeDirectory}, not '{relative}'");
        if (checkFiles && !System.IO.File.Exists(full) && (fileOnly || !Directory.Exists(full)))
            throw fail(pointer, $"'{key}': {(fileOnly ? "file" : "file or directory")} '{full}' does not exist (paths are relative to the recipe's folder)");
        return full;
    }

    /// <summary>"/files/2/source" as a recipe author writes it: "files[2].source".</summary>
    private static string TomlKey(string pointer) =>
        string.Join("", pointer.Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Select((part, n) => part.All(char.IsAsciiDigit) ? $"[{part}]" : (n == 0 ? part : "." + part)));

    private static IEnumerable<JsonObject> Items(JsonObject doc, string key) =>
        doc[key] is JsonArray a ? a.Select(x => x!.AsObject()) : [];

    private static List<string> Strings(JsonNode? node) =>
        node is JsonArray a ? a.Select(x => (string)x!).ToList() : [];

    /// <summary>Octal text of a mode ("0644").</summary>
    public static string Octal(uint mode) => Convert.ToString(mode & 0xFFF, 8).PadLeft(4, '0');
}
