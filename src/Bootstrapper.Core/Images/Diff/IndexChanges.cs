using System.Text;

namespace Bootstrapper.Core.Images.Diff;

/// <summary>A signed index whose date or signers changed, that is new, or that is no longer used.</summary>
/// <param name="OldDate">Null when the index is new.</param>
/// <param name="NewDate">Null when the index is no longer used (see <paramref name="StillUsed"/>).</param>
internal sealed record IndexChange(string Url, string Suite, string? OldDate, string? NewDate, bool StillUsed);

/// <summary>
/// Index comparison shared by image diffs and lock drift. It explains a rebuild ("the security suite was
/// republished") but is never a change of the image by itself.
/// </summary>
internal static class IndexChanges
{
    internal sealed record Entry(string Url, string Suite, string? Date, IReadOnlyList<string> SignedBy);

    public static IReadOnlyList<IndexChange> Compute(IEnumerable<Entry> old, IEnumerable<Entry> @new)
    {
        var before = old.ToList();
        var after = @new.ToList();
        // Last entry wins for a duplicated (url, suite): indices are not the place to reject hand-edited files.
        var byKey = new Dictionary<(string, string), Entry>();
        foreach (var n in after) byKey[(n.Url, n.Suite)] = n;
        var oldKeys = before.Select(o => (o.Url, o.Suite)).ToHashSet();
        var changes = new List<IndexChange>();
        foreach (var o in before)
        {
            byKey.TryGetValue((o.Url, o.Suite), out var n);
            if (n is null || n.Date != o.Date || !n.SignedBy.Order(StringComparer.Ordinal).SequenceEqual(o.SignedBy.Order(StringComparer.Ordinal)))
                changes.Add(new IndexChange(o.Url, o.Suite, o.Date, n?.Date, n is not null));
        }
        foreach (var n in after)
            if (!oldKeys.Contains((n.Url, n.Suite)))
                changes.Add(new IndexChange(n.Url, n.Suite, null, n.Date, true));
        return changes.DistinctBy(c => (c.Url, c.Suite))
            .OrderBy(c => c.Suite, StringComparer.Ordinal).ThenBy(c => c.Url, StringComparer.Ordinal).ToList();
    }

    public static void Append(StringBuilder text, IEnumerable<IndexChange> changes)
    {
        foreach (var i in changes)
        {
            text.Append("Index ").Append(i.Suite).Append(" (").Append(i.Url).Append("): ");
            text.Append(!i.StillUsed ? "no longer used"
                : i.OldDate is null && i.NewDate is not null ? "new, dated " + i.NewDate
                : i.OldDate == i.NewDate ? "signed by other keys"
                : $"{i.OldDate ?? "undated"} -> {i.NewDate ?? "undated"}");
            text.Append('\n');
        }
    }
}
