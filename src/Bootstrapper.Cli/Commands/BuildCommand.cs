using System.CommandLine;
using Bootstrapper.Cli.Console;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Recipes;
using Bootstrapper.Engine.Build;
using Bootstrapper.Engine.Rootless;

namespace Bootstrapper.Cli.Commands;

/// <summary>`bootstrap RECIPE [-o OUT]` (also `bootstrap build RECIPE`): build the image.</summary>
internal static class BuildCommand
{
    public static void Attach(RootCommand root, TextWriter stdout, TextWriter stderr)
    {
        // The root command builds, so `bootstrap recipes/x.toml` works; `build` is the same thing spelled out.
        var rootCommon = new CommonOptions();
        Configure(root, rootCommon, stdout);
        var build = new Command("build", "Build the image (the default when no command is given).");
        Configure(build, new CommonOptions(), stdout);
        root.Add(build);
    }

    private static void Configure(Command cmd, CommonOptions common, TextWriter stdout)
    {
        var output = new Option<string?>("--output", "-o") { Description = "Output tar (.tar, .tar.gz, .tar.xz, .tar.zst); overrides the recipe." };
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
        common.AddTo(cmd);
        cmd.Add(output);
        cmd.Add(epoch);
        cmd.Add(keepRoot);
        cmd.Add(locked);
        cmd.Add(mode);
        cmd.SetAction(async (r, ct) =>
        {
            var recipe = RecipeLoader.Load(r.GetValue(common.Recipe)!);
            var options = common.OptionsOf(r) with
            {
                OutputOverride = r.GetValue(output) is { } o ? Path.GetFullPath(o) : null,
                SourceDateEpoch = r.GetValue(epoch) ?? EpochFromEnvironment(),
                KeepStagingRoot = r.GetValue(keepRoot),
            };
            if (r.GetValue(locked))
            {
                var (lockFile, lockPath) = LockCommand.Read(r.GetValue(common.Recipe)!, null);
                options = options with { Locked = lockFile, LockedPath = lockPath };
            }
            await RootlessEntry.EnterIfNeededAsync(r.GetValue(mode), options, ct);
            var verbosity = common.VerbosityOf(r);
            var result = await LiveReporter.RunAsync(verbosity, reporter => ImageBuilder.BuildAsync(recipe, options, reporter, ct));
            stdout.WriteLine($"{result.ImagePath} ({result.ImageSize / 1048576.0:0.0} MiB, {result.PackageCount} packages, sha256 {result.ImageSha256})");
            stdout.WriteLine($"manifest: {result.ManifestPath}");
            if (result.SbomPath is { } sbom) stdout.WriteLine($"sbom: {sbom}");
            return ExitCodes.Success;
        });
    }

    private static long? EpochFromEnvironment()
    {
        var v = Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH");
        if (string.IsNullOrEmpty(v)) return null;
        if (long.TryParse(v, out var n) && n >= 0) return n;
        throw new RecipeException($"SOURCE_DATE_EPOCH='{v}' is not a whole number of seconds since 1970");
    }
}
