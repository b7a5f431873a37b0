using System.CommandLine;
using Bootstrapper.Cli.Console;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Recipes;
using Bootstrapper.Engine.Pipeline;
using Bootstrapper.Engine.Rootless;

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
        Description = "Extra keyring file (OpenPGP binary or armoured for Debian and Ubuntu; Alpine .rsa.pub), in addition to the recipe's. Repeatable.",
        AllowMultipleArgumentsPerToken = false,
    };
    public Option<string?> Cache { get; } = new("--cache")
    {
        Description = "Cache folder for indices and packages (default: ./cache as root; $XDG_CACHE_HOME/bootstrap or ~/.cache/bootstrap for other users).",
    };
    public Option<string?> Architecture { get; } = new("--architecture")
    {
        Description = "Build for this architecture only (arm64, armhf, i386...; Alpine: aarch64, armv7...), overriding the recipe's architecture(s).",
    };
    public Option<bool> Offline { get; } = new("--offline") { Description = "Open no network connection: use the cache and file:// mirrors only." };
    public Option<bool> NoCheckValidUntil { get; } = new("--no-check-valid-until")
    {
        Description = "Accept indices past their Valid-Until (archived suites, old bundles), with a warning; signatures are still required.",
    };
    public Option<string?> Snapshot { get; } = new("--snapshot")
    {
        Description = "Read every source from the snapshot service at this UTC time (2026-11-01T00:00:00Z); overrides the recipe's `snapshot`.",
    };
    public Option<string?> SnapshotUrl { get; } = new("--snapshot-url")
    {
        Description = "URL template of the snapshot service, e.g. http://snapshot.internal/archive/{archive}/{timestamp}; overrides BOOTSTRAP_SNAPSHOT_URL.",
    };
    public Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "Print only errors and the result." };
    public Option<bool> Verbose { get; } = new("--verbose", "-v") { Description = "Print every step, including maintainer-script output." };

    /// <param name="withRecipe">False for commands that take their recipes themselves (build takes several).</param>
    public void AddTo(Command cmd, bool withRecipe = true)
    {
        if (withRecipe) cmd.Add(Recipe);
        cmd.Add(Mirror);
        cmd.Add(Keyring);
        cmd.Add(Cache);
        cmd.Add(Architecture);
        cmd.Add(Offline);
        cmd.Add(NoCheckValidUntil);
        cmd.Add(Snapshot);
        cmd.Add(SnapshotUrl);
        cmd.Add(Quiet);
        cmd.Add(Verbose);
    }

    /// <summary>./cache for root; the XDG cache folder for anyone else (also inside a rootless build's namespace).</summary>
    private static string DefaultCache(IReadOnlyDictionary<string, string> environment)
    {
        if (UserNamespace.RealUid == 0) return "cache";
        var xdg = environment.GetValueOrDefault("XDG_CACHE_HOME");
        return Path.IsPathFullyQualified(xdg ?? "")
            ? Path.Combine(xdg!, "bootstrap")
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "bootstrap");
    }

    /// <summary>The recipe once per architecture this run builds (see <see cref="RecipeArchitectures"/>).</summary>
    public IReadOnlyList<Recipe> PerArchitecture(ParseResult r, Recipe recipe) =>
        RecipeArchitectures.Expand(recipe, r.GetValue(Architecture));

    public Verbosity VerbosityOf(ParseResult r) =>
        r.GetValue(Quiet) ? Verbosity.Quiet : r.GetValue(Verbose) ? Verbosity.Verbose : Verbosity.Normal;

    /// <summary>The options the common flags give; the process environment is read here, once, into
    /// <see cref="BuildOptions.Environment"/>, and every later use of a variable reads it from there.</summary>
    /// <exception cref="RecipeException">Two --mirror values for the same sources.</exception>
    public BuildOptions OptionsOf(ParseResult r)
    {
        var mirrors = MirrorOverrides.Parse(r.GetValue(Mirror) ?? []);
        var environment = BuildOptions.ReadEnvironment();
        return new BuildOptions
        {
            Environment = environment,
            MirrorOverride = mirrors.Every,
            ArchiveMirrors = mirrors.ByArchive,
            ExtraKeyrings = (r.GetValue(Keyring) ?? []).Select(Path.GetFullPath).ToList(),
            CacheDirectory = Path.GetFullPath(r.GetValue(Cache) ?? DefaultCache(environment)),
            Offline = r.GetValue(Offline),
            NoCheckValidUntil = r.GetValue(NoCheckValidUntil),
            Snapshot = r.GetValue(Snapshot) is { } snapshot ? SnapshotTime.Parse(snapshot, "--snapshot") : null,
            SnapshotUrl = r.GetValue(SnapshotUrl),
        };
    }
}
