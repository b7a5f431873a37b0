using System.CommandLine;
using Bootstrapper.Cli.Console;
using Bootstrapper.Core;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Recipes;
using Bootstrapper.Engine;
using Bootstrapper.Engine.Output;
using Bootstrapper.Engine.Pipeline;
using Bootstrapper.Engine.Rootless;

namespace Bootstrapper.Cli.Commands;

/// <summary>
/// `bootstrap RECIPE... [-o OUT] [--jobs N]` (also `bootstrap build ...`): build the images. Several recipes build
/// side by side (at most N at once) sharing one cache, which is safe: every cache entry is written under a
/// temporary name, checked, and renamed into place.
/// </summary>
internal static class BuildCommand
{
    /// <summary>`build`; <see cref="CliApp"/> routes `bootstrap RECIPE...` here (build is the default command).</summary>
    public static void Attach(RootCommand root, TextWriter stdout, TextWriter stderr)
    {
        // Not an argument of the root command itself: every subcommand's usage line would then start with
        // "bootstrap <recipe>...", which is wrong to follow.
        var build = new Command("build", "Build the images (the default when no command is given: `bootstrap RECIPE...`).");
        Configure(build, new CommonOptions(), stdout, stderr);
        root.Add(build);
    }

    private static void Configure(Command cmd, CommonOptions common, TextWriter stdout, TextWriter stderr)
    {
        var recipes = new Argument<string[]>("recipe") { Description = "The recipes (TOML) to build.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string?>("--output", "-o") { Description = "Output: a tar (.tar, .tar.gz, .tar.xz, .tar.zst) or an OCI image (.oci.tar archive, .oci directory); overrides the recipe (one recipe only)." };
        var epoch = new Option<long?>("--source-date-epoch")
        {
            Description = "Clamp every timestamp to this time (seconds since 1970); default: SOURCE_DATE_EPOCH, then the recipe.",
        };
        var keepRoot = new Option<bool>("--keep-root") { Description = "Keep the staging root after the build (for debugging)." };
        var locked = new Option<bool>("--locked") { Description = "Install exactly the packages of RECIPE.lock.json (see `bootstrap lock`) instead of resolving." };
        var mode = new Option<BuildMode>("--mode")
        {
            Description = "root: build as root; unshare: build as an unprivileged user in a user namespace (needs subordinate ids); auto (default): root when run as root, else unshare.",
            DefaultValueFactory = _ => BuildMode.Auto,
        };
        var sbom = new Option<SbomFormat>("--sbom")
        {
            Description = "SBOMs written beside the image: both (default; IMAGE.spdx.json, SPDX 2.3, and IMAGE.cdx.json, CycloneDX 1.6), spdx, cyclonedx or none.",
            DefaultValueFactory = _ => SbomFormat.Both,
        };
        var jobs = new Option<int>("--jobs", "-j")
        {
            Description = "With several recipes: how many build at once (default 1). They share the cache safely.",
            DefaultValueFactory = _ => 1,
        };
        cmd.Add(recipes);
        common.AddTo(cmd, withRecipe: false);
        cmd.Add(output);
        cmd.Add(epoch);
        cmd.Add(keepRoot);
        cmd.Add(locked);
        cmd.Add(mode);
        cmd.Add(jobs);
        cmd.Add(sbom);
        cmd.SetAction(async (r, ct) =>
        {
            var paths = r.GetValue(recipes)!;
            if (paths.Length > 1 && r.GetValue(output) is not null)
                throw new RecipeException("--output names one image; with several recipes each writes to its own [output] path");
            if (r.GetValue(epoch) is < 0 and var negative)
                throw new RecipeException($"--source-date-epoch {negative} is before 1970; give a whole number of seconds, 0 or more " +
                                          "(for example the last commit's time: --source-date-epoch $(git log -1 --format=%ct))");
            if (r.GetValue(jobs) < 1) throw new RecipeException($"--jobs {r.GetValue(jobs)}: give at least 1");
            var commonOptions = common.OptionsOf(r);
            var options = commonOptions with
            {
                OutputOverride = r.GetValue(output) is { } o ? Path.GetFullPath(o) : null,
                SourceDateEpoch = r.GetValue(epoch) ?? EpochFromEnvironment(commonOptions.Environment),
                KeepStagingRoot = r.GetValue(keepRoot),
                Sbom = r.GetValue(sbom),
            };
            // An unprivileged build re-executes itself first: the recipes are read once, inside.
            await RootlessEntry.EnterIfNeededAsync(r.GetValue(mode), options, ct);
            // Every recipe is read and checked before anything is built or downloaded; a recipe that lists several
            // architectures is one image per architecture (they share the cache, so an Architecture: all package
            // is downloaded once).
            var originals = paths.Select(p => (Path: p, Recipe: RecipeLoader.Load(p))).ToList();
            var loaded = originals.SelectMany(o => common.PerArchitecture(r, o.Recipe).Select(recipe => (o.Path, Recipe: recipe))).ToList();
            if (loaded.Count > 1 && r.GetValue(output) is not null)
                throw new RecipeException("--output names one image; with several recipes or architectures each writes to its own [output] path " +
                                          "(NAME-ARCH for an architecture; choose one with --architecture)");
            var verbosity = common.VerbosityOf(r);
            if (loaded.Count == 1)
            {
                var result = await LiveReporter.RunAsync(verbosity, stderr,
                    reporter => ImageBuilder.BuildAsync(loaded[0].Recipe, WithLock(options, loaded[0], r.GetValue(locked)), reporter, ct));
                Print(stdout, result, "");
                return ExitCodes.Success;
            }
            var (code, built) = await BuildSeveralAsync(loaded, options, r.GetValue(locked), r.GetValue(jobs), verbosity, stdout, stderr, ct);
            // A recipe built for every architecture it lists, with an OCI output: their image index at its own path.
            if (code == ExitCodes.Success && r.GetValue(common.Architecture) is null)
                ImageIndexStep.WriteIndexes(originals, built, options.SourceDateEpoch, stdout);
            return code;
        });
    }

    /// <returns>The exit code, and each image built with the recipe file it came from: a recipe with
    /// `architectures` gives one (Architecture, ImagePath) per entry, what an OCI image index is made of.</returns>
    private static async Task<(int Code, IReadOnlyList<(string RecipePath, BuildResult Result)> Built)> BuildSeveralAsync(
        List<(string Path, Recipe Recipe)> recipes, BuildOptions options, bool locked,
        int jobs, Verbosity verbosity, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var built = new List<(string RecipePath, BuildResult Result)>();
        var gate = new SemaphoreSlim(jobs);
        var outcomes = await Task.WhenAll(recipes.Select(async item =>
        {
            await gate.WaitAsync(ct);
            var prefix = $"[{item.Recipe.Name}] ";
            try
            {
                using var reporter = new PlainReporter(stderr, verbosity, prefix);
                var result = await Task.Run(() => ImageBuilder.BuildAsync(item.Recipe, WithLock(options, item, locked), reporter, ct), ct);
                lock (stdout)
                {
                    Print(stdout, result, prefix);
                    built.Add((item.Path, result));
                }
                return (item.Recipe.Name, Code: ExitCodes.Success);
            }
            catch (BootstrapException e)
            {
                lock (stderr) stderr.WriteLine($"{prefix}error: {e.Message}");
                return (item.Recipe.Name, Code: e.ExitCode);
            }
            finally
            {
                gate.Release();
            }
        }));
        var failed = outcomes.Where(o => o.Code != ExitCodes.Success).ToList();
        if (failed.Count == 0) return (ExitCodes.Success, built);
        stderr.WriteLine($"error: {recipes.Count - failed.Count} of {recipes.Count} images built; failed: " +
                         string.Join(", ", failed.Select(f => $"{f.Name} (exit {f.Code})")));
        return (failed[0].Code, built);
    }

    private static BuildOptions WithLock(BuildOptions options, (string Path, Recipe Recipe) item, bool locked)
    {
        if (!locked) return options;
        var (lockFile, lockPath) = LockCommand.Read(item.Path, item.Recipe);
        return options with { Locked = lockFile, LockedPath = lockPath };
    }

    private static void Print(TextWriter stdout, BuildResult result, string prefix)
    {
        stdout.WriteLine($"{prefix}{result.ImagePath} ({result.ImageSize / 1048576.0:0.0} MiB, {Plural.Count(result.PackageCount, "package")}, sha256 {result.ImageSha256})");
        stdout.WriteLine($"{prefix}manifest: {result.ManifestPath}");
        if (result.SbomPath is { } spdx) stdout.WriteLine($"{prefix}sbom: {spdx}");
        if (result.CycloneDxPath is { } cdx) stdout.WriteLine($"{prefix}sbom: {cdx}");
    }

    private static long? EpochFromEnvironment(IReadOnlyDictionary<string, string> environment)
    {
        var v = environment.GetValueOrDefault("SOURCE_DATE_EPOCH");
        if (string.IsNullOrEmpty(v)) return null;
        if (long.TryParse(v, out var n) && n >= 0) return n;
        throw new RecipeException($"SOURCE_DATE_EPOCH='{v}' is not a whole number of seconds since 1970");
    }
}
