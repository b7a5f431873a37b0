using System.CommandLine;
using Bootstrapper.Cli.Console;
using Bootstrapper.Core;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Locking;
using Bootstrapper.Core.Recipes;
using Bootstrapper.Engine;
using Bootstrapper.Engine.Os.Files;

namespace Bootstrapper.Cli.Commands;

/// <summary>
/// `bootstrap lock RECIPE [--check]`: plan, and write RECIPE.lock.json (every package file with size and SHA-256,
/// each index's date and signing keys). When a lock exists, print how the fresh plan differs from it; with --check,
/// write nothing and exit <see cref="ExitCodes.DiffChanged"/> when it differs (a scheduled job's "anything new?").
/// </summary>
internal static class LockCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var common = new CommonOptions();
        var check = new Option<bool>("--check")
        {
            Description = $"Write nothing; exit {ExitCodes.DiffChanged} when a fresh plan differs from the lock file, 0 when it matches.",
        };
        var output = new Option<string?>("--output", "-o") { Description = "Lock file path (default: RECIPE.lock.json beside the recipe)." };
        var cmd = new Command("lock", "Resolve the recipe and write its lock file (RECIPE.lock.json), to build exactly that set later with --locked.");
        common.AddTo(cmd);
        cmd.Add(check);
        cmd.Add(output);
        cmd.SetAction(async (r, ct) =>
        {
            var recipePath = r.GetValue(common.Recipe)!;
            var recipes = common.PerArchitecture(r, RecipeLoader.Load(recipePath));
            if (recipes.Count > 1 && r.GetValue(output) is not null)
                throw new RecipeException($"--output names one lock file; {recipePath} lists {recipes.Count} architectures (choose one with --architecture)");
            var code = ExitCodes.Success;
            foreach (var recipe in recipes)
            {
                var one = await LockOneAsync(recipe, Path.GetFullPath(r.GetValue(output) ?? LockFile.PathFor(recipe)));
                if (code == ExitCodes.Success) code = one;
            }
            return code;

            async Task<int> LockOneAsync(Recipe recipe, string path)
            {
                var plan = await LiveReporter.RunAsync(common.VerbosityOf(r), stderr,
                    reporter => ImageBuilder.PlanAsync(recipe, common.OptionsOf(r), reporter, ct));
                var fresh = LockFile.FromPlan(plan);

                var drift = File.Exists(path)
                    ? LockDrift.Compare(LockFile.FromJson(File.ReadAllText(path), path), fresh, DiffCommand.VersionOrder(fresh.Family))
                    : null;
                if (drift != null) stdout.Write(drift.ToText());
                if (r.GetValue(check))
                {
                    if (drift == null) throw new RecipeException($"{path}: no lock file to check; create it with `bootstrap lock {recipePath}`");
                    return drift.HasDrift ? ExitCodes.DiffChanged : ExitCodes.Success;
                }
                AtomicFile.Write(path, fresh.ToJson());
                stdout.WriteLine($"{path}: {Plural.Count(fresh.Packages.Count, "package")}, {fresh.TotalSize / 1048576.0:0.0} MiB");
                return ExitCodes.Success;
            }
        });
        return cmd;
    }

    /// <summary>
    /// Reads the lock for `--locked`: RECIPE.lock.json beside the recipe, RECIPE.ARCH.lock.json for an image named
    /// for its architecture; refuses one written for another selection of packages before anything is fetched.
    /// </summary>
    public static (LockFile Lock, string Path) Read(string recipePath, Recipe recipe)
    {
        var path = Path.GetFullPath(LockFile.PathFor(recipe));
        if (!File.Exists(path))
            throw new RecipeException($"--locked: {path} does not exist; create it with `bootstrap lock {recipePath}" +
                $"{(recipe.NamedForArchitecture ? " --architecture " + recipe.Architecture : "")}`");
        var lockFile = LockFile.FromJson(File.ReadAllText(path), path);
        if (RecipeSelection.Mismatch(lockFile, path, recipe, recipePath) is { } stale) throw new RecipeException(stale);
        return (lockFile, path);
    }
}
