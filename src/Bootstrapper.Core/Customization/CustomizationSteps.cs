namespace Bootstrapper.Core.Customization;

/// <summary>
/// What a recipe adds to the installed packages: files, accounts, commands, system settings, the image's own apt
/// sources and minimizing. Plain data read from the recipe (<see cref="CustomizationReader"/>); the schema
/// (recipes.schema.json) has already checked every key and type. Applied in this order after the packages:
/// groups, users, files, timezone, locale, `after-packages` steps, minimize, apt sources; then `before-pack`
/// steps. `after-essential` steps run between the essential set and the rest.
/// </summary>
internal sealed record CustomizationSteps
{
    public static readonly CustomizationSteps None = new();

    public IReadOnlyList<FileSpec> Files { get; init; } = [];
    public IReadOnlyList<GroupSpec> Groups { get; init; } = [];
    public IReadOnlyList<UserSpec> Users { get; init; } = [];
    public IReadOnlyList<RunStep> Run { get; init; } = [];
    /// <summary>An Olson name (Europe/Berlin): /etc/localtime and /etc/timezone, as tzdata's configuration writes them.</summary>
    public string? Timezone { get; init; }
    /// <summary>LANG for /etc/default/locale (en_US.UTF-8); generated with locale-gen when `locales` is installed.</summary>
    public string? Locale { get; init; }
    /// <summary>When non-empty, the image's apt sources (instead of the mirrors the build used).</summary>
    public IReadOnlyList<ImageSourceSpec> ImageSources { get; init; } = [];
    public MinimizeSpec? Minimize { get; init; }

    public bool IsEmpty => this == None || (Files.Count == 0 && Groups.Count == 0 && Users.Count == 0 && Run.Count == 0 &&
                                            Timezone is null && Locale is null && ImageSources.Count == 0 && Minimize is null);
}

/// <summary>A file or directory tree to put in the image.</summary>
/// <param name="Path">Absolute destination in the image ("/etc/motd"); for a tree, the directory its contents go into.</param>
/// <param name="Source">Absolute host path (resolved from the recipe's folder) of a file or directory, or null.</param>
/// <param name="Content">Inline content (UTF-8), or null.</param>
/// <param name="Mode">Permission bits for a single file (default 0644); a tree keeps 0644/0755 by the execute bit.</param>
/// <param name="Owner">"user:group" (names from the image's passwd/group, or numbers); default root:root.</param>
/// <param name="Key">Where it was declared ("files[2]"), for messages.</param>
internal sealed record FileSpec(string Path, string? Source, string? Content, uint? Mode, string? Owner, string Key);

internal sealed record GroupSpec(string Name, int? Gid, bool System);

/// <param name="Group">Primary group; null: a group named like the user (useradd's USERGROUPS_ENAB default).</param>
internal sealed record UserSpec(string Name, int? Uid, string? Group, IReadOnlyList<string> Groups, string? Home,
    string? Shell, string? Comment, bool System);

internal enum RunStage { AfterEssential, AfterPackages, BeforePack }

/// <summary>A shell command run in the build sandbox (/bin/sh -ec COMMAND) at one stage.</summary>
internal sealed record RunStep(string Name, RunStage Stage, string Command, bool Network)
{
    public static string StageName(RunStage stage) => stage switch
    {
        RunStage.AfterEssential => "after-essential",
        RunStage.AfterPackages => "after-packages",
        _ => "before-pack",
    };
}

/// <summary>One deb822 stanza of the image's sources.</summary>
/// <param name="KeySource">Host path of a key file to install under /etc/apt/keyrings (Signed-By names it), or null.</param>
/// <param name="SignedBy">A keyring path already in the image, when no key file is given; null: the archive keyring.</param>
internal sealed record ImageSourceSpec(IReadOnlyList<string> Uris, IReadOnlyList<string> Suites, IReadOnlyList<string> Components,
    string? KeySource, string? SignedBy);

/// <summary>What to drop from the image and keep out of later installs (dpkg path-exclude).</summary>
internal sealed record MinimizeSpec(bool Docs, bool Man, bool Locales, IReadOnlyList<string> KeepLocales);
