using System.Text.Json;

namespace Bootstrapper.Core.Images.Diff;

/// <summary>
/// The machine rendering of an <see cref="ImageDiffResult"/>, for CI jobs that decide whether to publish. Keys
/// always appear (empty arrays rather than missing ones) in a fixed order; sizes are bytes.
/// </summary>
/// <example>
/// { "format": 1, "hasChanges": true, "packagesChanged": true,
///   "old": { "recipe": "r", "family": "debian", "architecture": "amd64", "image": { "name": "r.tar",
///            "size": 1000, "sha256": "…" }, "packageCount": 88, "packageSize": 32000000 },
///   "new": { … },
///   "upgraded": [ { "name": "libc6", "architecture": "amd64", "oldVersion": "2.36-9+deb12u3",
///                   "newVersion": "2.36-9+deb12u4", "oldSize": 2800000, "newSize": 2801000 } ],
///   "downgraded": [], "added": [ { …, "oldVersion": null, "oldSize": 0, … } ], "removed": [], "rebuilt": [],
///   "indices": [ { "url": "…/InRelease", "suite": "bookworm", "oldDate": "…", "newDate": "…", "stillUsed": true } ],
///   "unchanged": 87, "packageSizeChange": 1000, "imageSizeChange": 4096,
///   "files": { "added": [ { "path": "var/lib/dpkg/arch", "type": "file", "mode": "0644", "owner": "0:0", "size": 6,
///              "content": "…sha256…" } ], "removed": [], "changed": [ { "path": "…", "changes": ["content"],
///              "old": { … }, "new": { … } } ], "unchanged": 6190 } }
/// </example>
internal static class ImageDiffJson
{
    public const int Format = 1;

    public static string Render(ImageDiffResult diff)
    {
        return JsonOutput.Document(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("format", Format);
            w.WriteBoolean("hasChanges", diff.HasChanges);
            w.WriteBoolean("packagesChanged", diff.PackagesChanged);
            Side(w, "old", diff.Old);
            Side(w, "new", diff.New);
            Changes(w, "upgraded", diff.Upgraded);
            Changes(w, "downgraded", diff.Downgraded);
            Changes(w, "added", diff.Added);
            Changes(w, "removed", diff.Removed);
            Changes(w, "rebuilt", diff.Rebuilt);
            w.WriteStartArray("indices");
            foreach (var i in diff.Indices)
            {
                w.WriteStartObject();
                w.WriteString("url", i.Url);
                w.WriteString("suite", i.Suite);
                w.WriteString("oldDate", i.OldDate);
                w.WriteString("newDate", i.NewDate);
                w.WriteBoolean("stillUsed", i.StillUsed);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteNumber("unchanged", diff.Unchanged);
            w.WriteNumber("packageSizeChange", diff.PackageSizeChange);
            w.WriteNumber("imageSizeChange", diff.ImageSizeChange);
            // null when two manifests were compared: only image tars hold the files.
            if (diff.Files is null) w.WriteNull("files");
            else
            {
                w.WriteStartObject("files");
                diff.Files.WriteJson(w);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        });
    }

    private static void Side(Utf8JsonWriter w, string name, ImageDiffSide side)
    {
        w.WriteStartObject(name);
        w.WriteString("recipe", side.Recipe);
        w.WriteString("family", side.Family);
        w.WriteString("architecture", side.Architecture);
        w.WriteStartObject("image");
        w.WriteString("name", side.Image.Name);
        w.WriteNumber("size", side.Image.Size);
        w.WriteString("sha256", side.Image.Sha256);
        w.WriteEndObject();
        w.WriteNumber("packageCount", side.PackageCount);
        w.WriteNumber("packageSize", side.PackageSize);
        w.WriteEndObject();
    }

    private static void Changes(Utf8JsonWriter w, string name, IReadOnlyList<PackageChange> changes)
    {
        w.WriteStartArray(name);
        foreach (var c in changes)
        {
            w.WriteStartObject();
            w.WriteString("name", c.Name);
            w.WriteString("architecture", c.Architecture);
            w.WriteString("oldVersion", c.OldVersion);
            w.WriteString("newVersion", c.NewVersion);
            w.WriteNumber("oldSize", c.OldSize);
            w.WriteNumber("newSize", c.NewSize);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
