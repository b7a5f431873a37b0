using System.CommandLine;
using Bootstrapper.Core.Alpine.Versions;
using Bootstrapper.Core.Debian.Versions;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Images.Diff;
using Bootstrapper.Core.Images.Manifest;
using Bootstrapper.Engine.Output;

namespace Bootstrapper.Cli.Commands;

/// <summary>
/// `bootstrap diff OLD NEW [--json]`: what changed between two images or two manifests. Two image tars are compared
/// file by file (any tars, also ones bootstrap did not build) and, when both have their IMAGE.manifest.json, package
/// by package too. Exit 0 when nothing changed, <see cref="ExitCodes.DiffChanged"/> when something did: a
/// scheduled job publishes only then.
/// </summary>
internal static class DiffCommand
{
    public static Command Create(TextWriter stdout)
    {
        var oldArg = new Argument<string>("old") { Description = "The older image tar (its IMAGE.manifest.json is read when present) or manifest." };
        var newArg = new Argument<string>("new") { Description = "The newer image or manifest." };
        var json = new Option<bool>("--json") { Description = "Print the differences as JSON (shape in README \"Scheduled rebuilds\")." };
        var cmd = new Command("diff",
            $"Compare two images: files (added, removed, changed: type, mode, owner, size, content) and, with their manifests, packages. Exit 0 when nothing changed, {ExitCodes.DiffChanged} when something did.")
        {
            oldArg,
            newArg,
            json
        };
        cmd.SetAction(r =>
        {
            var diff = Compare(r.GetValue(oldArg)!, r.GetValue(newArg)!);
            stdout.Write(r.GetValue(json) ? diff.ToJson() : diff.ToText());
            return diff.HasChanges ? ExitCodes.DiffChanged : ExitCodes.Success;
        });
        return cmd;
    }

    private static ImageDiffResult Compare(string oldPath, string newPath)
    {
        static bool IsManifest(string p) => p.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
        if (IsManifest(oldPath) || IsManifest(newPath))
            return CompareManifests(Load(oldPath), Load(newPath));

        // Two tars: the files always; the packages when both have a manifest (one alone would list every
        // package as added or removed).
        var older = ImageTarEntries.Read(oldPath);
        var newer = ImageTarEntries.Read(newPath);
        var files = FileTreeDiff.Compare(older.Entries, newer.Entries);
        var bothManifests = File.Exists(oldPath + ".manifest.json") && File.Exists(newPath + ".manifest.json");
        var diff = bothManifests
            ? CompareManifests(Load(oldPath) with { Image = older.Image }, Load(newPath) with { Image = newer.Image })
            : ImageDiff.Compare(WithoutManifest(older.Image), WithoutManifest(newer.Image), string.CompareOrdinal);
        return diff with { Files = files };
    }

    private static ImageDiffResult CompareManifests(ImageManifest older, ImageManifest newer)
    {
        if (older.Family != newer.Family)
            throw new RecipeException($"cannot compare a {older.Family} image with a {newer.Family} image");
        return ImageDiff.Compare(older, newer, VersionOrder(older.Family));
    }

    /// <summary>A tar without IMAGE.manifest.json: what `diff` knows of it is the file itself.</summary>
    private static ImageManifest WithoutManifest(ImageFile image) => new()
    {
        Recipe = "(no manifest)",
        Family = "unknown",
        Architecture = "unknown",
        Image = image,
        Packages = [],
    };

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
        }
        ,
        "alpine" => ApkVersion.Compare,
        _ => throw new RecipeException($"family '{family}': no version order is known for it in this build"),
    };
}
