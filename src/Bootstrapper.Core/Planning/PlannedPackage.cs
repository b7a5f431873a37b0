namespace Bootstrapper.Core.Planning;

/// <summary>
/// One package of a resolved plan: exactly which file to fetch, how to check it, and why it was chosen. Facts the
/// pipeline, the lock or the manifest read are typed here; what only one family needs between its plan and its
/// install (Debian's essential set, Alpine's index entries) travels in that family's plan (Engine's FamilyPlan).
/// </summary>
internal sealed record PlannedPackage
{
    public required string Name { get; init; }
    public required string Version { get; init; }
    public required string Architecture { get; init; }
    /// <summary>Size in bytes of the package file, from the signed index.</summary>
    public required long Size { get; init; }
    /// <summary>Lower-case hex SHA-256 of the package file, from the signed index; null when the index gives none
    /// (Alpine: see <see cref="IndexChecksum"/>).</summary>
    public string? Sha256 { get; init; }
    /// <summary>Path of the package file relative to the repository base URL (Debian "pool/main/..").</summary>
    public required string Filename { get; init; }
    /// <summary>Base URL of the repository it comes from (the mirror actually used for this build).</summary>
    public required string RepositoryUrl { get; init; }
    /// <summary>Human-readable reason: "essential", "priority required", "depends of apt", "include"...</summary>
    public required string Reason { get; init; }
    /// <summary>The source package's name (Debian's Source field); null when the index does not say.</summary>
    public string? Source { get; init; }
    /// <summary>KiB the package takes unpacked, from the index (Debian's Installed-Size; Alpine's I:, rounded up);
    /// null when the index does not say. Sizes the staging area.</summary>
    public long? InstalledSizeKiB { get; init; }
    /// <summary>
    /// The index's own checksum of the package when it gives no SHA-256 of the file: Alpine's C: ("Q1" and the
    /// base64 SHA-1 of the control member). A lock records it as "q1".
    /// </summary>
    public string? IndexChecksum { get; init; }
    /// <summary>Where the cache keeps the file when the index gives no SHA-256 (letters and digits, e.g. Alpine's
    /// control-member SHA-1 in hex, as apk's cache names it); null otherwise.</summary>
    public string? CacheKey { get; init; }
}
