using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Images.Manifest;

namespace Bootstrapper.Core.Images.Diff;

/// <summary>
/// What changed between two builds of an image, from their manifests: the question a scheduled rebuild asks
/// ("is there anything new to publish?") and the answer a reviewer reads. Packages are matched by (name,
/// architecture), so a package that moves from "amd64" to "all" shows as removed and added.
/// </summary>
internal static class ImageDiff
{
    /// <param name="versionOrder">The family's version order (dpkg's or apk's): negative when the first is older.
    /// Only consulted when two versions differ as strings.</param>
    /// <exception cref="RecipeException">A manifest lists the same package twice.</exception>
    public static ImageDiffResult Compare(ImageManifest old, ImageManifest @new, Comparison<string> versionOrder)
    {
        var diff = PackageSetDiff.Compute(Entries(old), Entries(@new), versionOrder, isNew =>
        {
            var m = isNew ? @new : old;
            return $"the {(isNew ? "new" : "old")} manifest (recipe '{m.Recipe}', image {m.Image.Name})";
        });
        return new ImageDiffResult(diff)
        {
            Old = Side(old),
            New = Side(@new),
            Indices = IndexChanges.Compute(Indices(old), Indices(@new)),
        };
    }

    private static IEnumerable<IndexChanges.Entry> Indices(ImageManifest m) =>
        m.Indices.Select(i => new IndexChanges.Entry(i.Url, i.Suite, i.Date, i.SignedBy));

    private static IEnumerable<PackageSetDiff.Entry> Entries(ImageManifest m) =>
        m.Packages.Select(p => new PackageSetDiff.Entry(p.Name, p.Architecture, p.Version, p.Size, p.Sha256));

    private static ImageDiffSide Side(ImageManifest m) =>
        new(m.Recipe, m.Family, m.Architecture, m.Image, m.Packages.Count, m.Packages.Sum(p => p.Size));
}

/// <summary>One package that differs. Versions are null on the side where the package is absent (sizes are 0).</summary>
internal sealed record PackageChange(
    string Name, string Architecture, string? OldVersion, string? NewVersion, long OldSize, long NewSize)
{
    public long SizeChange => NewSize - OldSize;
}

/// <summary>One of the two images compared.</summary>
internal sealed record ImageDiffSide(
    string Recipe, string Family, string Architecture, ImageFile Image, int PackageCount, long PackageSize);

internal sealed record ImageDiffResult : PackageSetChanges
{
    public ImageDiffResult(PackageSetChanges packages) : base(packages)
    {
    }

    public required ImageDiffSide Old { get; init; }
    public required ImageDiffSide New { get; init; }
    /// <summary>Signed indices whose date or signers differ (explains a rebuild; not a change by itself).</summary>
    public IReadOnlyList<IndexChange> Indices { get; init; } = [];
    /// <summary>The file-level difference, when two image tars were compared (null for two manifests).</summary>
    public FileTreeDiff? Files { get; init; }

    /// <summary>Sum of package file sizes, new minus old (bytes).</summary>
    public long PackageSizeChange => New.PackageSize - Old.PackageSize;
    /// <summary>Size of the image file, new minus old (bytes).</summary>
    public long ImageSizeChange => New.Image.Size - Old.Image.Size;

    /// <summary>
    /// The package set changed, or the image's SHA-256 did (a recipe change with the same packages). Builds are
    /// reproducible, so identical inputs give an identical image and this stays false.
    /// </summary>
    public bool HasChanges =>
        PackagesChanged || Files?.HasChanges == true ||
        !string.Equals(Old.Image.Sha256, New.Image.Sha256, StringComparison.OrdinalIgnoreCase);

    public string ToText() => ImageDiffText.Render(this);
    public string ToJson() => ImageDiffJson.Render(this);
}
