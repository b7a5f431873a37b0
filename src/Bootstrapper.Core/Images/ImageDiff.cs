using Bootstrapper.Core.Errors;

namespace Bootstrapper.Core.Images;

/// <summary>
/// What changed between two builds of an image, from their manifests: the question a scheduled rebuild asks
/// ("is there anything new to publish?") and the answer a reviewer reads. Packages are matched by (name,
/// architecture), so a package that moves from "amd64" to "all" shows as removed and added.
/// </summary>
public static class ImageDiff
{
    /// <param name="versionOrder">The family's version order (dpkg's or apk's): negative when the first is older.
    /// Only consulted when two versions differ as strings.</param>
    /// <exception cref="RecipeException">A manifest lists the same package twice.</exception>
    public static ImageDiffResult Compare(ImageManifest old, ImageManifest @new, Comparison<string> versionOrder)
    {
        var before = Index(old, "old");
        var after = Index(@new, "new");
        var added = new List<PackageChange>();
        var removed = new List<PackageChange>();
        var upgraded = new List<PackageChange>();
        var downgraded = new List<PackageChange>();
        var rebuilt = new List<PackageChange>();
        var unchanged = 0;

        foreach (var (key, o) in before)
        {
            if (!after.TryGetValue(key, out var n))
            {
                removed.Add(new PackageChange(o.Name, o.Architecture, o.Version, null, o.Size, 0));
                continue;
            }
            var change = new PackageChange(o.Name, o.Architecture, o.Version, n.Version, o.Size, n.Size);
            var order = o.Version == n.Version ? 0 : versionOrder(o.Version, n.Version);
            if (order < 0) upgraded.Add(change);
            else if (order > 0) downgraded.Add(change);
            // Same version but another file: a mirror serving a different build under the same version, or
            // versions that are equal in the family's order but spelt differently ("1.0" and "1.00" for dpkg).
            else if (o.Version != n.Version || (o.Sha256 is not null && n.Sha256 is not null && o.Sha256 != n.Sha256))
                rebuilt.Add(change);
            else unchanged++;
        }
        foreach (var (key, n) in after)
            if (!before.ContainsKey(key))
                added.Add(new PackageChange(n.Name, n.Architecture, null, n.Version, 0, n.Size));

        return new ImageDiffResult
        {
            Old = Side(old),
            New = Side(@new),
            Added = Sorted(added),
            Removed = Sorted(removed),
            Upgraded = Sorted(upgraded),
            Downgraded = Sorted(downgraded),
            Rebuilt = Sorted(rebuilt),
            Unchanged = unchanged,
        };
    }

    private static Dictionary<(string, string), ManifestPackage> Index(ImageManifest manifest, string which)
    {
        var index = new Dictionary<(string, string), ManifestPackage>();
        foreach (var p in manifest.Packages)
            if (!index.TryAdd((p.Name, p.Architecture), p))
                throw new RecipeException(
                    $"the {which} manifest (recipe '{manifest.Recipe}', image {manifest.Image.Name}) lists " +
                    $"{p.Name}:{p.Architecture} twice; it was not written by bootstrap or was edited. Rebuild the image " +
                    "to get a consistent manifest.");
        return index;
    }

    private static ImageDiffSide Side(ImageManifest m) =>
        new(m.Recipe, m.Family, m.Architecture, m.Image, m.Packages.Count, m.Packages.Sum(p => p.Size));

    private static IReadOnlyList<PackageChange> Sorted(List<PackageChange> changes) =>
        changes.OrderBy(c => c.Name, StringComparer.Ordinal).ThenBy(c => c.Architecture, StringComparer.Ordinal).ToList();
}

/// <summary>One package that differs. Versions are null on the side where the package is absent (sizes are 0).</summary>
public sealed record PackageChange(
    string Name, string Architecture, string? OldVersion, string? NewVersion, long OldSize, long NewSize)
{
    public long SizeChange => NewSize - OldSize;
}

/// <summary>One of the two images compared.</summary>
public sealed record ImageDiffSide(
    string Recipe, string Family, string Architecture, ImageFile Image, int PackageCount, long PackageSize);

public sealed record ImageDiffResult
{
    public required ImageDiffSide Old { get; init; }
    public required ImageDiffSide New { get; init; }
    public required IReadOnlyList<PackageChange> Added { get; init; }
    public required IReadOnlyList<PackageChange> Removed { get; init; }
    public required IReadOnlyList<PackageChange> Upgraded { get; init; }
    public required IReadOnlyList<PackageChange> Downgraded { get; init; }
    /// <summary>Same version (in the family's order) but a different package file (SHA-256 or spelling).</summary>
    public required IReadOnlyList<PackageChange> Rebuilt { get; init; }
    public required int Unchanged { get; init; }

    /// <summary>Sum of package file sizes, new minus old (bytes).</summary>
    public long PackageSizeChange => New.PackageSize - Old.PackageSize;
    /// <summary>Size of the image file, new minus old (bytes).</summary>
    public long ImageSizeChange => New.Image.Size - Old.Image.Size;

    public bool PackagesChanged =>
        Added.Count + Removed.Count + Upgraded.Count + Downgraded.Count + Rebuilt.Count > 0;

    /// <summary>
    /// The package set changed, or the image's SHA-256 did (a recipe change with the same packages). Builds are
    /// reproducible, so identical inputs give an identical image and this stays false.
    /// </summary>
    public bool HasChanges =>
        PackagesChanged || !string.Equals(Old.Image.Sha256, New.Image.Sha256, StringComparison.OrdinalIgnoreCase);

    public string ToText() => ImageDiffText.Render(this);
    public string ToJson() => ImageDiffJson.Render(this);
}
