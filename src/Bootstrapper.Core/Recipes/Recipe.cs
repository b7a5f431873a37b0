namespace Bootstrapper.Core.Recipes;

/// <summary>
/// A validated recipe: what image to build. Plain data; <see cref="RecipeLoader"/> makes one from TOML after the
/// JSON schema (recipes.schema.json) accepted it, so code here may rely on required fields being present.
/// </summary>
public sealed record Recipe
{
    /// <summary>Path of the recipe file (absolute); relative paths in the recipe resolve against its folder.</summary>
    public required string SourcePath { get; init; }
    public required string Name { get; init; }
    public required DistroFamily Family { get; init; }
    /// <summary>Debian architecture name (amd64, arm64...) or Alpine's (x86_64, aarch64...).</summary>
    public required string Architecture { get; init; }
    public required IReadOnlyList<RecipeSource> Sources { get; init; }
    /// <summary>Absolute paths of keyring files (OpenPGP for Debian, RSA public keys for Alpine).</summary>
    public required IReadOnlyList<string> Keyrings { get; init; }
    public required PackageSelection Packages { get; init; }
    /// <summary>What the image carries besides its packages (the recipe's [image] table).</summary>
    public ImageSettings Image { get; init; } = new();
    public required OutputSettings Output { get; init; }

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

public enum DistroFamily { Debian, Alpine }

/// <summary>One repository: a suite (Debian) or branch repository (Alpine) with its components.</summary>
public sealed record RecipeSource
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
}

public sealed record PackageSelection
{
    /// <summary>Debian: essential, apt, minbase, buildd, important, standard (as mmdebstrap). Alpine: none.</summary>
    public string? Variant { get; init; }
    public IReadOnlyList<string> Include { get; init; } = [];
    public IReadOnlyList<string> Exclude { get; init; } = [];
}

/// <summary>
/// The official-image options (Debian family): Debian's container images are made by debuerreotype, whose
/// minimizing config and slimify step these reproduce.
/// </summary>
public sealed record ImageSettings
{
    /// <summary>debuerreotype-minimizing-config: policy-rc.d, dpkg's unsafe-io, apt's docker-* settings.</summary>
    public bool ContainerConfig { get; init; }
    /// <summary>debuerreotype-slimify: docs, man and info pages, locales removed and kept out by dpkg path-exclude.</summary>
    public bool Slim { get; init; }
}

public sealed record OutputSettings
{
    /// <summary>Absolute output path (the recipe's value resolved against the working directory).</summary>
    public required string Path { get; init; }
    /// <summary>none, gzip, xz, zstd, or auto (from the file name).</summary>
    public string Compression { get; init; } = "auto";
    public string? Hostname { get; init; }
    public long? SourceDateEpoch { get; init; }
}
