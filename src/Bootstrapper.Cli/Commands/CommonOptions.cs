using System.CommandLine;
using Bootstrapper.Cli.Console;
using Bootstrapper.Engine.Build;

namespace Bootstrapper.Cli.Commands;

/// <summary>Options shared by the commands that read a recipe and its repositories.</summary>
internal sealed class CommonOptions
{
    public Argument<string> Recipe { get; } = new("recipe") { Description = "The recipe (TOML) to use." };
    public Option<string[]> Mirror { get; } = new("--mirror")
    {
        Description = "Mirror base URL (http, https, file://) for every source, or ARCHIVE=URL for the sources of one archive " +
                      "(debian-security=URL; repeatable); overrides BOOTSTRAP_MIRROR*, the recipe and the host's apt sources.",
        AllowMultipleArgumentsPerToken = false,
    };
    public Option<string[]> Keyring { get; } = new("--keyring")
    {
        Description = "Extra keyring file (OpenPGP binary or armoured; Alpine .rsa.pub), in addition to the recipe's. Repeatable.",
        AllowMultipleArgumentsPerToken = false,
    };
    public Option<string?> Cache { get; } = new("--cache")
    {
        Description = "Cache folder for indices and packages (default: ./cache as root; $XDG_CACHE_HOME/bootstrap or ~/.cache/bootstrap for other users).",
    };
    public Option<bool> Offline { get; } = new("--offline") { Description = "Open no network connection: use the cache and file:// mirrors only." };
    public Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "Print only errors and the result." };
    public Option<bool> Verbose { get; } = new("--verbose", "-v") { Description = "Print every step, including maintainer-script output." };

    /// <param name="withRecipe">False for commands that take their recipes themselves (build takes several).</param>
    public void AddTo(Command cmd, bool withRecipe = true)
    {
        if (withRecipe) cmd.Add(Recipe);
        cmd.Add(Mirror);
        cmd.Add(Keyring);
        cmd.Add(Cache);
        cmd.Add(Offline);
        cmd.Add(Quiet);
        cmd.Add(Verbose);
    }

    /// <summary>./cache for root; the XDG cache folder for anyone else (also inside a rootless build's namespace).</summary>
    private static string DefaultCache()
    {
        if (Engine.Rootless.UserNamespace.RealUid == 0) return "cache";
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        return Path.IsPathFullyQualified(xdg ?? "")
            ? Path.Combine(xdg!, "bootstrap")
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "bootstrap");
    }

    public Verbosity VerbosityOf(ParseResult r) =>
        r.GetValue(Quiet) ? Verbosity.Quiet : r.GetValue(Verbose) ? Verbosity.Verbose : Verbosity.Normal;

    /// <exception cref="Core.Errors.RecipeException">Two --mirror values for the same sources.</exception>
    public BuildOptions OptionsOf(ParseResult r)
    {
        var mirrors = Core.Recipes.MirrorOverrides.Parse(r.GetValue(Mirror) ?? []);
        return new BuildOptions
        {
            MirrorOverride = mirrors.Every,
            ArchiveMirrors = mirrors.ByArchive,
            ExtraKeyrings = (r.GetValue(Keyring) ?? []).Select(Path.GetFullPath).ToList(),
            CacheDirectory = Path.GetFullPath(r.GetValue(Cache) ?? DefaultCache()),
            Offline = r.GetValue(Offline),
        };
    }
}
