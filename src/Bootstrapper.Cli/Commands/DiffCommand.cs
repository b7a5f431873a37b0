using System.CommandLine;
using Bootstrapper.Core.Debian;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Images;

namespace Bootstrapper.Cli.Commands;

/// <summary>
/// `bootstrap diff OLD NEW [--json]`: what changed between two images (their IMAGE.manifest.json) or two manifests.
/// Exit 0 when nothing changed, <see cref="ExitCodes.DiffChanged"/> when something did: a scheduled job publishes
/// only then.
/// </summary>
internal static class DiffCommand
{
    public static Command Create(TextWriter stdout)
    {
        var oldArg = new Argument<string>("old") { Description = "The older image (IMAGE, whose IMAGE.manifest.json is read) or manifest." };
        var newArg = new Argument<string>("new") { Description = "The newer image or manifest." };
        var json = new Option<bool>("--json") { Description = "Print the differences as JSON (shape in README \"Scheduled rebuilds\")." };
        var cmd = new Command("diff",
            $"Compare two images' package sets: added, removed, upgraded, downgraded, size. Exit 0 when nothing changed, {ExitCodes.DiffChanged} when something did.");
        cmd.Add(oldArg);
        cmd.Add(newArg);
        cmd.Add(json);
        cmd.SetAction(r =>
        {
            var older = Load(r.GetValue(oldArg)!);
            var newer = Load(r.GetValue(newArg)!);
            if (older.Family != newer.Family)
                throw new RecipeException($"cannot compare a {older.Family} image with a {newer.Family} image");
            var diff = ImageDiff.Compare(older, newer, VersionOrder(older.Family));
            stdout.Write(r.GetValue(json) ? diff.ToJson() : diff.ToText());
            return diff.HasChanges ? ExitCodes.DiffChanged : ExitCodes.Success;
        });
        return cmd;
    }

    /// <summary>A manifest path as given, or the manifest beside an image.</summary>
    public static ImageManifest Load(string path)
    {
        var manifest = path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? path : path + ".manifest.json";
        if (!File.Exists(manifest))
            throw new RecipeException(manifest == path
                ? $"{path}: no such manifest"
                : $"{path}: no manifest beside it ({manifest} does not exist); pass the image bootstrap wrote, or its .manifest.json");
        return ImageManifest.FromJson(File.ReadAllText(manifest), manifest);
    }

    /// <summary>The family's version order; a version that does not parse is a malformed manifest or lock.</summary>
    public static Comparison<string> VersionOrder(string family) => family switch
    {
        "debian" => (a, b) =>
        {
            if (!DebVersion.TryParse(a, out var va, out var error) || !DebVersion.TryParse(b, out var vb, out error))
                throw new RecipeException($"cannot compare versions '{a}' and '{b}': {error}");
            return DebVersion.Compare(va, vb);
        },
        "alpine" => Core.Alpine.ApkVersion.Compare,
        _ => throw new RecipeException($"family '{family}': no version order is known for it in this build"),
    };
}
