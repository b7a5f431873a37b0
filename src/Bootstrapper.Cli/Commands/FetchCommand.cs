using System.CommandLine;
using Bootstrapper.Cli.Console;
using Bootstrapper.Core;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Recipes;
using Bootstrapper.Engine;

namespace Bootstrapper.Cli.Commands;

/// <summary>
/// `bootstrap fetch RECIPE [--bundle DIR] [--locked]`: verify the indices, resolve, download into the cache, build
/// nothing. With --bundle, also write DIR as a mirror of exactly what the build needs (signed InRelease byte for
/// byte, the indices it hashes, the packages at their pool paths), for `bootstrap RECIPE --offline --mirror file://DIR`
/// on a machine without network.
/// </summary>
internal static class FetchCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var common = new CommonOptions();
        var bundle = new Option<string?>("--bundle") { Description = "Also write this folder as a mirror holding everything the build needs (air-gapped builds)." };
        var locked = new Option<bool>("--locked") { Description = "Fetch exactly the packages of RECIPE.lock.json instead of resolving." };
        var cmd = new Command("fetch", "Download (into the cache) everything the recipe needs, without building; optionally write a bundle.");
        common.AddTo(cmd);
        cmd.Add(bundle);
        cmd.Add(locked);
        cmd.SetAction(async (r, ct) =>
        {
            var recipePath = r.GetValue(common.Recipe)!;
            var bundleDir = r.GetValue(bundle) is { } b ? Path.GetFullPath(b) : null;
            // One bundle serves every architecture: each adds its indices (binary-ARCH) and packages to it.
            foreach (var recipe in common.PerArchitecture(r, RecipeLoader.Load(recipePath)))
            {
                var options = common.OptionsOf(r);
                if (r.GetValue(locked))
                {
                    var (lockFile, path) = LockCommand.Read(recipePath, recipe);
                    options = options with { Locked = lockFile, LockedPath = path };
                }
                var result = await LiveReporter.RunAsync(common.VerbosityOf(r), stderr,
                    reporter => ImageBuilder.FetchAsync(recipe, options, bundleDir, reporter, ct));
                stdout.WriteLine($"{recipe.Architecture}: {Plural.Count(result.Plan.Packages.Count, "package")} ({result.Plan.TotalSize / 1048576.0:0.0} MiB) verified in {options.CacheDirectory}");
                if (result.Bundle is { } written)
                    stdout.WriteLine($"bundle: {written.Directory} ({written.Files} files, {written.Bytes / 1048576.0:0.0} MiB); " +
                                     $"build with: bootstrap {recipePath} --offline --mirror {new Uri(written.Directory + "/").AbsoluteUri}");
            }
            return ExitCodes.Success;
        });
        return cmd;
    }
}
