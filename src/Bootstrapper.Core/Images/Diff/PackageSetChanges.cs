namespace Bootstrapper.Core.Images.Diff;

/// <summary>
/// How one package set became another, keyed by (name, architecture): what an image diff and a lock's drift both
/// report (<see cref="ImageDiffResult"/>, <see cref="Locking.LockDriftResult"/> add their own parts).
/// </summary>
internal record PackageSetChanges
{
    public IReadOnlyList<PackageChange> Added { get; init; } = [];
    public IReadOnlyList<PackageChange> Removed { get; init; } = [];
    public IReadOnlyList<PackageChange> Upgraded { get; init; } = [];
    public IReadOnlyList<PackageChange> Downgraded { get; init; } = [];
    /// <summary>Same version (in the family's order) but a different package file (SHA-256 or spelling).</summary>
    public IReadOnlyList<PackageChange> Rebuilt { get; init; } = [];
    public int Unchanged { get; init; }

    /// <summary>Something was added, removed, upgraded, downgraded or rebuilt.</summary>
    public bool PackagesChanged => Added.Count + Removed.Count + Upgraded.Count + Downgraded.Count + Rebuilt.Count > 0;
}
