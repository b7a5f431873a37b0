namespace Bootstrapper.Core.Planning;

/// <summary>
/// One package of a resolved plan: exactly which file to fetch, how to check it, and why it was chosen.
/// Shared by every distro family; family-specific details travel in <see cref="Extra"/>.
/// </summary>
internal sealed record PlannedPackage
{
    public required string Name { get; init; }
    public required string Version { get; init; }
    public required string Architecture { get; init; }
    /// <summary>Size in bytes of the package file, from the signed index.</summary>
    public required long Size { get; init; }
    /// <summary>Lower-case hex SHA-256 of the package file, from the signed index (Alpine: may be null, see Extra).</summary>
    public string? Sha256 { get; init; }
    /// <summary>Path of the package file relative to the repository base URL (Debian "pool/main/..").</summary>
    public required string Filename { get; init; }
    /// <summary>Base URL of the repository it comes from (the mirror actually used for this build).</summary>
    public required string RepositoryUrl { get; init; }
    /// <summary>Human-readable reason: "essential", "priority required", "depends of apt", "include"...</summary>
    public required string Reason { get; init; }
    /// <summary>Family-specific facts (Alpine "Q1" checksum, Debian Priority...).</summary>
    public IReadOnlyDictionary<string, string> Extra { get; init; } = new Dictionary<string, string>();
}
