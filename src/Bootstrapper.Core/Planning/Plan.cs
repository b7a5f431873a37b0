using Bootstrapper.Core.Recipes;

namespace Bootstrapper.Core.Planning;

/// <summary>The resolved, verified package set for a recipe: everything the build needs to fetch and install.</summary>
internal sealed record Plan
{
    public required Recipe Recipe { get; init; }
    public required IReadOnlyList<PlannedPackage> Packages { get; init; }
    public required IReadOnlyList<IndexInfo> Indices { get; init; }
    public long TotalSize => Packages.Sum(p => p.Size);
}

/// <summary>A verified repository index the plan was resolved from.</summary>
internal sealed record IndexInfo
{
    /// <summary>URL of the signed file (InRelease / APKINDEX.tar.gz).</summary>
    public required string Url { get; init; }
    public required string Suite { get; init; }
    /// <summary>Date field of the Release (or the index's build date), as written there.</summary>
    public string? Date { get; init; }
    /// <summary>The same Date, parsed (Debian's InRelease); the default SOURCE_DATE_EPOCH is the newest of these.</summary>
    public DateTimeOffset? Released { get; init; }
    /// <summary>Fingerprints (hex, upper case) of the keys whose signatures verified.</summary>
    public required IReadOnlyList<string> SignedBy { get; init; }
}
