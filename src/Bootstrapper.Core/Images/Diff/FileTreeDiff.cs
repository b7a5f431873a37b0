using System.Text;
using System.Text.Json;

namespace Bootstrapper.Core.Images.Diff;

/// <summary>One entry of an image tar, as `diff` compares it.</summary>
/// <param name="Path">Without "./" and without a trailing '/': "etc/passwd".</param>
/// <param name="Type">"file", "dir", "symlink", "hardlink", "char", "block", "fifo".</param>
/// <param name="Mode">Permission bits with setuid/setgid/sticky (07777).</param>
/// <param name="Owner">"uid:gid", numeric (names in a tar are advisory).</param>
/// <param name="Size">Bytes of content (regular files; 0 otherwise).</param>
/// <param name="Content">SHA-256 of a regular file; the target of a link ("-> target"); "major,minor" of a device.</param>
internal sealed record TarEntryInfo(string Path, string Type, int Mode, string Owner, long Size, string Content);

/// <summary>One path present in both trees whose attributes differ.</summary>
/// <param name="Changes">Which of type, mode, owner, size, content differ, in that order.</param>
internal sealed record FileChange(string Path, TarEntryInfo Old, TarEntryInfo New, IReadOnlyList<string> Changes);

/// <summary>
/// The file-level difference of two image trees: paths only in the old one, only in the new one, and in both with
/// another type, mode, owner, size or content. Modification times are not compared: every build clamps them to
/// its SOURCE_DATE_EPOCH, so they would flag every file of a rebuild with another epoch.
/// </summary>
internal sealed record FileTreeDiff
{
    public required IReadOnlyList<TarEntryInfo> Added { get; init; }
    public required IReadOnlyList<TarEntryInfo> Removed { get; init; }
    public required IReadOnlyList<FileChange> Changed { get; init; }
    public required int Unchanged { get; init; }

    public bool HasChanges => Added.Count + Removed.Count + Changed.Count > 0;

    /// <summary>Compares two trees; paths sorted ordinally. A path listed twice in a tar counts as its last entry, as tar extracts it.</summary>
    public static FileTreeDiff Compare(IEnumerable<TarEntryInfo> old, IEnumerable<TarEntryInfo> @new)
    {
        var before = Index(old);
        var after = Index(@new);
        var changed = new List<FileChange>();
        var unchanged = 0;
        foreach (var (path, o) in before)
        {
            if (!after.TryGetValue(path, out var n)) continue;
            var kinds = new List<string>();
            if (o.Type != n.Type) kinds.Add("type");
            if (o.Mode != n.Mode) kinds.Add("mode");
            if (o.Owner != n.Owner) kinds.Add("owner");
            if (o.Size != n.Size) kinds.Add("size");
            if (o.Content != n.Content) kinds.Add("content");
            if (kinds.Count == 0) unchanged++;
            else changed.Add(new FileChange(path, o, n, kinds));
        }
        return new FileTreeDiff
        {
            Added = after.Where(e => !before.ContainsKey(e.Key)).Select(e => e.Value).ToList(),
            Removed = before.Where(e => !after.ContainsKey(e.Key)).Select(e => e.Value).ToList(),
            Changed = changed,
            Unchanged = unchanged,
        };
    }

    private static SortedDictionary<string, TarEntryInfo> Index(IEnumerable<TarEntryInfo> entries)
    {
        var index = new SortedDictionary<string, TarEntryInfo>(StringComparer.Ordinal);
        foreach (var e in entries) index[e.Path] = e;
        return index;
    }

    /// <summary>"Files: 2 added, 0 removed, 1 changed (6190 unchanged)" and one line per path.</summary>
    public void AppendText(StringBuilder text)
    {
        text.Append("Files: ").Append(Added.Count).Append(" added, ").Append(Removed.Count).Append(" removed, ")
            .Append(Changed.Count).Append(" changed (").Append(Unchanged).Append(" unchanged)\n");
        foreach (var e in Added) text.Append("  + ").Append(Describe(e)).Append('\n');
        foreach (var e in Removed) text.Append("  - ").Append(Describe(e)).Append('\n');
        foreach (var c in Changed)
        {
            text.Append("  ~ ").Append(c.Path).Append(':');
            foreach (var kind in c.Changes)
                text.Append(' ').Append(kind).Append(' ').Append(Value(c.Old, kind)).Append(" -> ").Append(Value(c.New, kind)).Append(';');
            text.Length--; // the last ';'
            text.Append('\n');
        }
    }

    private static string Describe(TarEntryInfo e) =>
        $"{e.Path}  {e.Type} {Convert.ToString(e.Mode, 8).PadLeft(4, '0')} {e.Owner} {e.Size} {Short(e.Content)}";

    private static string Value(TarEntryInfo e, string kind) => kind switch
    {
        "type" => e.Type,
        "mode" => Convert.ToString(e.Mode, 8).PadLeft(4, '0'),
        "owner" => e.Owner,
        "size" => e.Size.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => Short(e.Content),
    };

    /// <summary>A SHA-256 shortened to 12 digits for reading; link targets and devices as they are.</summary>
    private static string Short(string content) =>
        content.Length == 64 && content.All(char.IsAsciiHexDigitLower) ? "sha256:" + content[..12] : content;

    /// <summary>{ "added": [entry...], "removed": [...], "changed": [{ "path", "changes", "old", "new" }], "unchanged": N }.</summary>
    public void WriteJson(Utf8JsonWriter w)
    {
        w.WriteStartArray("added");
        foreach (var e in Added) Entry(w, e);
        w.WriteEndArray();
        w.WriteStartArray("removed");
        foreach (var e in Removed) Entry(w, e);
        w.WriteEndArray();
        w.WriteStartArray("changed");
        foreach (var c in Changed)
        {
            w.WriteStartObject();
            w.WriteString("path", c.Path);
            w.WriteStartArray("changes");
            foreach (var kind in c.Changes) w.WriteStringValue(kind);
            w.WriteEndArray();
            w.WritePropertyName("old");
            Entry(w, c.Old);
            w.WritePropertyName("new");
            Entry(w, c.New);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteNumber("unchanged", Unchanged);
    }

    private static void Entry(Utf8JsonWriter w, TarEntryInfo e)
    {
        w.WriteStartObject();
        w.WriteString("path", e.Path);
        w.WriteString("type", e.Type);
        w.WriteString("mode", Convert.ToString(e.Mode, 8).PadLeft(4, '0'));
        w.WriteString("owner", e.Owner);
        w.WriteNumber("size", e.Size);
        w.WriteString("content", e.Content);
        w.WriteEndObject();
    }
}
