using System.Globalization;
using System.Text;

namespace Bootstrapper.Core.Images.Diff;

/// <summary>
/// The human rendering of an <see cref="ImageDiffResult"/>: one section per kind of change, columns aligned across
/// all sections so versions line up, sizes in binary units. Plain text (no colour): it goes to logs and mail.
/// </summary>
/// <example>
/// old: debian-bookworm.tar  debian amd64  88 packages  116.2 MiB  sha256:1f0e…
/// new: debian-bookworm.tar  debian amd64  88 packages  116.2 MiB  sha256:9a4c…
/// Upgraded (1):
///   libc6  amd64  2.36-9+deb12u3  ->  2.36-9+deb12u4  +1.2 KiB
/// Unchanged: 87 packages
/// Package files: 31.2 MiB -> 31.2 MiB (+1.2 KiB)
/// Image:         116.2 MiB -> 116.2 MiB (+4.0 KiB)
/// </example>
internal static class ImageDiffText
{
    public static string Render(ImageDiffResult diff)
    {
        var text = new StringBuilder();
        Side(text, "old", diff.Old);
        Side(text, "new", diff.New);
        AppendSections(text, diff.Upgraded, diff.Downgraded, diff.Added, diff.Removed, diff.Rebuilt);
        IndexChanges.Append(text, diff.Indices);
        diff.Files?.AppendText(text);

        if (!diff.HasChanges)
            text.Append("No changes: same packages, same image SHA-256.\n");
        else if (!diff.PackagesChanged)
            text.Append(diff.Files is null
                ? "Same packages, but the image differs (recipe, files or build settings changed); compare the tars for the files.\n"
                : "Same packages, but the image differs (the files above).\n");
        text.Append("Unchanged: ").Append(diff.Unchanged).Append(diff.Unchanged == 1 ? " package\n" : " packages\n");
        text.Append("Package files: ").Append(Size(diff.Old.PackageSize)).Append(" -> ").Append(Size(diff.New.PackageSize))
            .Append(" (").Append(SignedSize(diff.PackageSizeChange)).Append(")\n");
        text.Append("Image:         ").Append(Size(diff.Old.Image.Size)).Append(" -> ").Append(Size(diff.New.Image.Size))
            .Append(" (").Append(SignedSize(diff.ImageSizeChange)).Append(")\n");
        return text.ToString();
    }

    /// <summary>The change sections, columns aligned across all of them; empty sections are left out.</summary>
    internal static void AppendSections(StringBuilder text, IReadOnlyList<PackageChange> upgraded,
        IReadOnlyList<PackageChange> downgraded, IReadOnlyList<PackageChange> added, IReadOnlyList<PackageChange> removed,
        IReadOnlyList<PackageChange> rebuilt)
    {
        var sections = new (string Title, IReadOnlyList<PackageChange> Rows)[]
        {
            ("Upgraded", upgraded),
            ("Downgraded", downgraded),
            ("Added", added),
            ("Removed", removed),
            ("Rebuilt (same version, different file)", rebuilt),
        };
        var all = sections.SelectMany(s => s.Rows).ToList();
        var name = Width(all, c => c.Name);
        var arch = Width(all, c => c.Architecture);
        var oldVersion = Width(all, c => c.OldVersion ?? "-");
        var newVersion = Width(all, c => c.NewVersion ?? "-");
        foreach (var (title, rows) in sections)
        {
            if (rows.Count == 0) continue;
            text.Append(title).Append(" (").Append(rows.Count).Append("):\n");
            foreach (var c in rows)
            {
                text.Append("  ").Append(c.Name.PadRight(name))
                    .Append("  ").Append(c.Architecture.PadRight(arch))
                    .Append("  ").Append((c.OldVersion ?? "-").PadRight(oldVersion))
                    .Append("  ->  ").Append((c.NewVersion ?? "-").PadRight(newVersion))
                    .Append("  ").Append(SignedSize(c.SizeChange))
                    .Append('\n');
            }
        }
    }

    private static void Side(StringBuilder text, string label, ImageDiffSide side) =>
        text.Append(label).Append(": ").Append(side.Recipe)
            .Append("  ").Append(side.Image.Name)
            .Append("  ").Append(side.Family).Append(' ').Append(side.Architecture)
            .Append("  ").Append(side.PackageCount).Append(side.PackageCount == 1 ? " package" : " packages")
            .Append("  ").Append(Size(side.Image.Size))
            .Append("  sha256:").Append(side.Image.Sha256.Length > 12 ? side.Image.Sha256[..12] : side.Image.Sha256)
            .Append('\n');

    private static int Width(IEnumerable<PackageChange> rows, Func<PackageChange, string> column) =>
        rows.Select(r => column(r).Length).DefaultIfEmpty(0).Max();

    /// <summary>Bytes in binary units with one decimal ("116.2 MiB"); exact below 1 KiB ("512 B").</summary>
    public static string Size(long bytes)
    {
        var magnitude = Math.Abs((double)bytes);
        if (magnitude < 1024) return bytes.ToString(CultureInfo.InvariantCulture) + " B";
        string[] units = ["KiB", "MiB", "GiB", "TiB"];
        var unit = -1;
        var value = (double)bytes;
        while (Math.Abs(value) >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return value.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    /// <summary>A size change with its sign ("+1.2 KiB", "-300 B", "0 B").</summary>
    public static string SignedSize(long bytes) => bytes > 0 ? "+" + Size(bytes) : Size(bytes);
}
