using Bootstrapper.Core.Customization;

namespace Bootstrapper.Core.Recipes;

/// <summary>
/// A validated recipe: what image to build. Plain data; <see cref="RecipeLoader"/> makes one from TOML after the
/// JSON schema (recipes.schema.json) accepted it, so code here may rely on required fields being present.
/// </summary>
internal sealed record Recipe
{
    /// <summary>Path of the recipe file (absolute); relative paths in the recipe resolve against its folder.</summary>
    public required string SourcePath { get; init; }
    public required string Name { get; init; }
    public required DistroFamily Family { get; init; }
    /// <summary>Debian architecture name (amd64, arm64...) or Alpine's (x86_64, aarch64...).</summary>
    /// <remarks>For a recipe that lists <see cref="Architectures"/>, the first; builds go through
    /// <see cref="RecipeArchitectures.Expand"/>, which gives one single-architecture recipe per entry.</remarks>
    public required string Architecture { get; init; }
    /// <summary>`architectures = [...]`: one image per entry in one run. Empty when the recipe names one `architecture`.</summary>
    public IReadOnlyList<string> Architectures { get; init; } = [];
    /// <summary>
    /// True for a recipe made for one of several architectures (or for one `--architecture` chose other than the
    /// recipe's): its name, output path and lock file carry the architecture, so images of different architectures
    /// never overwrite each other.
    /// </summary>
    public bool NamedForArchitecture { get; init; }
    public required IReadOnlyList<RecipeSource> Sources { get; init; }
    /// <summary>Absolute paths of keyring files (OpenPGP for Debian, RSA public keys for Alpine).</summary>
    public required IReadOnlyList<string> Keyrings { get; init; }
    public required PackageSelection Packages { get; init; }
    public required OutputSettings Output { get; init; }
    /// <summary>The recipe's [image] table (OCI config, official-image options); null when it has none.</summary>
    public ImageSettings? Image { get; init; }
    /// <summary>Files, accounts, commands and settings added after the packages (Debian family).</summary>
    public CustomizationSteps Customize { get; init; } = CustomizationSteps.None;
    /// <summary>`snapshot`: build from a snapshot service's copy of every source at this time (see README "Snapshots").</summary>
    public DateTimeOffset? Snapshot { get; init; }

    public string RecipeDirectory => Path.GetDirectoryName(SourcePath)!;

    /// <summary>
    /// The distribution the image is, as purls and apt name it: the first source's archive without its suffix
    /// ("debian-security" -> "debian", "ubuntu" -> "ubuntu", "alpine").
    /// </summary>
    public string Vendor
    {
        get
        {
            var archive = Sources.Count > 0 ? Sources[0].Archive : Family.ToString();
            var dash = archive.IndexOf('-');
            return (dash > 0 ? archive[..dash] : archive).ToLowerInvariant();
        }
    }
}

internal enum DistroFamily { Debian, Alpine }

/// <summary>One repository: a suite (Debian) or branch repository (Alpine) with its components.</summary>
internal sealed record RecipeSource
{
    /// <summary>Debian: suite or codename ("bookworm", "bookworm-security"). Alpine: branch ("v3.23").</summary>
    public required string Suite { get; init; }
    /// <summary>Debian components ("main") or Alpine repositories ("main", "community").</summary>
    public required IReadOnlyList<string> Components { get; init; }
    /// <summary>
    /// Archive name used to pick a mirror from the environment (BOOTSTRAP_MIRROR_&lt;ARCHIVE&gt;) and to tell
    /// sources on different hosts apart: "debian", "debian-security", "ubuntu", "alpine".
    /// </summary>
    public required string Archive { get; init; }
    /// <summary>Mirror base URL written in the recipe (optional: usually it comes from elsewhere).</summary>
    public string? Mirror { get; init; }
    /// <summary>`check_valid_until = false`: accept this source's Release past its Valid-Until (with a warning).</summary>
    public bool CheckValidUntil { get; init; } = true;
}

internal sealed record PackageSelection
{
    /// <summary>Debian: essential, apt, minbase, buildd, important, standard (as mmdebstrap). Alpine: none.</summary>
    public string? Variant { get; init; }
    public IReadOnlyList<string> Include { get; init; } = [];
    public IReadOnlyList<string> Exclude { get; init; } = [];
}

internal sealed record OutputSettings
{
    /// <summary>Absolute output path (the recipe's value resolved against the working directory).</summary>
    public required string Path { get; init; }
    /// <summary>none, gzip, xz, zstd, or auto (from the file name).</summary>
    public string Compression { get; init; } = "auto";
    public string? Hostname { get; init; }
    public long? SourceDateEpoch { get; init; }
}

/// <summary>
/// [image]: what the image is besides its packages. The OCI image config (README "Publishing images"; plain data, also
/// stored in IMAGE.manifest.json so that `bootstrap push` can wrap a plain tar with the recipe's config), and, for the
/// Debian family, what Debian's official container images add (debuerreotype's minimizing config and slimify).
/// </summary>
internal sealed record ImageSettings
{
    /// <summary>debuerreotype-minimizing-config: policy-rc.d, dpkg's unsafe-io, apt's docker-* settings.</summary>
    public bool ContainerConfig { get; init; }
    /// <summary>debuerreotype-slimify: docs, man and info pages, locales removed and kept out by dpkg path-exclude.</summary>
    public bool Slim { get; init; }
    /// <summary>"NAME=value", in the recipe's order.</summary>
    public IReadOnlyList<string> Env { get; init; } = [];
    public IReadOnlyList<string>? Entrypoint { get; init; }
    public IReadOnlyList<string>? Cmd { get; init; }
    public string? User { get; init; }
    public string? Workdir { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>org.opencontainers.image.version.</summary>
    public string? Version { get; init; }
    /// <summary>org.opencontainers.image.source: where the recipe lives (a URL).</summary>
    public string? Source { get; init; }
}
