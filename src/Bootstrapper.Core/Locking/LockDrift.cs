using System.Text;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Images.Diff;

namespace Bootstrapper.Core.Locking;

/// <summary>
/// How a fresh plan differs from the committed lock file: what a scheduled job reports before rebuilding, and what
/// a locked build refuses to proceed with. Packages are compared like image manifests (by name and architecture,
/// with the family's version order); a package file whose SHA-256 (or, for Alpine without one, Q1) changed under the
/// same version counts as rebuilt. Index dates are reported but are not drift by themselves: a repository that
/// republished without changing the chosen packages leaves the lock valid.
/// </summary>
internal static class LockDrift
{
    /// <exception cref="RecipeException">A lock lists the same package twice.</exception>
    public static LockDriftResult Compare(LockFile locked, LockFile fresh, Comparison<string> versionOrder)
    {
        var diff = PackageSetDiff.Compute(Entries(locked), Entries(fresh), versionOrder,
            isFresh => isFresh ? $"the fresh plan of '{fresh.Recipe}'" : $"the lock file of '{locked.Recipe}'");
        var indexChanges = IndexChanges.Compute(
            locked.Indices.Select(i => new IndexChanges.Entry(i.Url, i.Suite, i.Date, i.SignedBy)),
            fresh.Indices.Select(i => new IndexChanges.Entry(i.Url, i.Suite, i.Date, i.SignedBy)));
        return new LockDriftResult(diff)
        {
            Indices = indexChanges,
            SelectionChanged = locked.Selection != fresh.Selection,
        };
    }

    private static IEnumerable<PackageSetDiff.Entry> Entries(LockFile lockFile) =>
        lockFile.Packages.Select(p => new PackageSetDiff.Entry(p.Name, p.Architecture, p.Version, p.Size, p.Sha256 ?? p.Q1));
}

internal sealed record LockDriftResult : PackageSetChanges
{
    public LockDriftResult(PackageSetChanges packages) : base(packages)
    {
    }

    public required IReadOnlyList<IndexChange> Indices { get; init; }
    /// <summary>The recipe's selection is not the one the lock was written for (or the lock records none).</summary>
    public bool SelectionChanged { get; init; }

    /// <summary>The fresh plan would install something else than the lock says, or the recipe asks for something else.</summary>
    public bool HasDrift => SelectionChanged || PackagesChanged;

    public string ToText()
    {
        var text = new StringBuilder();
        ImageDiffText.AppendSections(text, Upgraded, Downgraded, Added, Removed, Rebuilt);
        IndexChanges.Append(text, Indices);
        if (SelectionChanged) text.Append("The recipe's package selection changed since the lock was written.\n");
        text.Append(HasDrift ? "The lock file is out of date" : "The lock file matches the plan")
            .Append(" (").Append(Unchanged).Append(Unchanged == 1 ? " package unchanged).\n" : " packages unchanged).\n");
        return text.ToString();
    }
}
