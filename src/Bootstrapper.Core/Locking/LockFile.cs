using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Planning;
using Bootstrapper.Core.Recipes;

namespace Bootstrapper.Core.Locking;

/// <summary>
/// The contents of RECIPE.lock.json: the exact package files a resolved plan chose, with their sizes and hashes,
/// and the signed indices they were chosen from. A scheduled rebuild compares a fresh plan with it; an air-gapped
/// rebuild installs straight from it without resolving again. Written deterministically (see
/// <see cref="LockFileJson"/>) so that committing it to version control gives meaningful diffs.
/// </summary>
internal sealed record LockFile
{
    /// <summary>Bumped only for changes an older reader would misread; readers reject newer formats.</summary>
    public const int CurrentFormat = 1;


    public int Format { get; init; } = CurrentFormat;
    public required string Recipe { get; init; }
    /// <summary>"debian" or "alpine" (the recipe's family, lower case).</summary>
    public required string Family { get; init; }
    public required string Architecture { get; init; }
    /// <summary>
    /// <see cref="RecipeSelection.Hash"/> of the recipe when the lock was written; null in locks written before
    /// it existed (they cannot tell a changed recipe).
    /// </summary>
    public string? Selection { get; init; }
    /// <summary>Sorted by name, then architecture (ordinal), whatever order they were given in.</summary>
    public required IReadOnlyList<LockedPackage> Packages { get; init; }
    /// <summary>Sorted by URL, then suite.</summary>
    public required IReadOnlyList<LockedIndex> Indices { get; init; }

    public long TotalSize => Packages.Sum(p => p.Size);

    /// <summary>The lock for a resolved plan (Alpine's Q1 is the package's <see cref="PlannedPackage.IndexChecksum"/>).</summary>
    public static LockFile FromPlan(Plan plan) => new()
    {
        Recipe = plan.Recipe.Name,
        Family = FamilyName(plan.Recipe.Family),
        Architecture = plan.Recipe.Architecture,
        Selection = RecipeSelection.Hash(plan.Recipe),
        Packages = Sort(plan.Packages.Select(p => new LockedPackage
        {
            Name = p.Name,
            Version = p.Version,
            Architecture = p.Architecture,
            Repository = p.RepositoryUrl,
            Filename = p.Filename,
            Size = p.Size,
            Sha256 = p.Sha256,
            Q1 = p.IndexChecksum,
        })),
        Indices = Sort(plan.Indices.Select(i => new LockedIndex
        {
            Url = i.Url,
            Suite = i.Suite,
            Date = i.Date,
            SignedBy = i.SignedBy.Order(StringComparer.Ordinal).ToList(),
        })),
    };

    /// <summary>
    /// The plan this lock describes, for a build that must not resolve again (air-gapped or pinned). The recipe
    /// must be the one the lock was made for: same name, family and architecture.
    /// </summary>
    /// <exception cref="RecipeException">The lock belongs to another recipe, family or architecture.</exception>
    public Plan ToPlan(Recipe recipe, string lockSourceName)
    {
        var family = FamilyName(recipe.Family);
        if (recipe.Name != Recipe || family != Family || recipe.Architecture != Architecture)
            throw new RecipeException(
                $"{lockSourceName}: this lock file is for recipe '{Recipe}' ({Family}, {Architecture}), not for " +
                $"'{recipe.Name}' ({family}, {recipe.Architecture}) from {recipe.SourcePath}. Pass the lock file " +
                "written for this recipe, or delete it and plan again to create a new one.");
        return new Plan
        {
            Recipe = recipe,
            Packages = Packages.Select(p => new PlannedPackage
            {
                Name = p.Name,
                Version = p.Version,
                Architecture = p.Architecture,
                Size = p.Size,
                Sha256 = p.Sha256,
                Filename = p.Filename,
                RepositoryUrl = p.Repository,
                Reason = "locked",
                IndexChecksum = p.Q1,
            }).ToList(),
            Indices = Indices.Select(i => new IndexInfo
            {
                Url = i.Url,
                Suite = i.Suite,
                Date = i.Date,
                SignedBy = i.SignedBy,
            }).ToList(),
        };
    }

    public string ToJson() => LockFileJson.Write(this);

    /// <inheritdoc cref="LockFileJson.Read"/>
    public static LockFile FromJson(string json, string sourceName) => LockFileJson.Read(json, sourceName);

    /// <summary>The file name a recipe's lock has: "debian-bookworm.toml" -> "debian-bookworm.lock.json".</summary>
    public static string PathFor(string recipePath, string? architecture = null)
    {
        var directory = Path.GetDirectoryName(recipePath) ?? "";
        var suffix = architecture is null ? "" : "." + architecture;
        return Path.Combine(directory, Path.GetFileNameWithoutExtension(recipePath) + suffix + ".lock.json");
    }

    /// <summary>RECIPE.lock.json, or RECIPE.ARCH.lock.json for an image named for its architecture (see
    /// <see cref="RecipeArchitectures"/>).</summary>
    public static string PathFor(Recipe recipe) =>
        PathFor(recipe.SourcePath, recipe.NamedForArchitecture ? recipe.Architecture : null);

    internal static string FamilyName(DistroFamily family) => family.ToString().ToLowerInvariant();

    internal static IReadOnlyList<LockedPackage> Sort(IEnumerable<LockedPackage> packages) =>
        packages.OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Architecture, StringComparer.Ordinal)
            .ThenBy(p => p.Version, StringComparer.Ordinal)
            .ToList();

    internal static IReadOnlyList<LockedIndex> Sort(IEnumerable<LockedIndex> indices) =>
        indices.OrderBy(i => i.Url, StringComparer.Ordinal).ThenBy(i => i.Suite, StringComparer.Ordinal).ToList();
}

/// <summary>One package file of the lock: where it is in its repository and how to check it.</summary>
internal sealed record LockedPackage
{
    public required string Name { get; init; }
    public required string Version { get; init; }
    public required string Architecture { get; init; }
    /// <summary>Base URL of the repository the plan chose it from (a mirror may be substituted at build time).</summary>
    public required string Repository { get; init; }
    /// <summary>Path relative to <see cref="Repository"/> (Debian "pool/main/...", Alpine "x86_64/NAME-VER.apk").</summary>
    public required string Filename { get; init; }
    public required long Size { get; init; }
    /// <summary>Lower-case hex SHA-256 of the package file (may be absent for Alpine, which has Q1).</summary>
    public string? Sha256 { get; init; }
    /// <summary>Alpine: "Q1" + base64 SHA-1 of the package's control member, from the index's C: field.</summary>
    public string? Q1 { get; init; }
}

/// <summary>One signed index the plan was resolved from.</summary>
internal sealed record LockedIndex
{
    public required string Url { get; init; }
    public required string Suite { get; init; }
    public string? Date { get; init; }
    /// <summary>Fingerprints (upper-case hex) of the keys whose signatures verified, sorted.</summary>
    public required IReadOnlyList<string> SignedBy { get; init; }
}
