using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Recipes;

namespace Bootstrapper.Engine.Net.Mirrors;

/// <summary>
/// With a snapshot (recipe `snapshot`, --snapshot), every source comes from the snapshot service at that time, and
/// the image's apt sources name the snapshot: an old image rebuilt exactly, which `apt-get install` inside it
/// extends from the same day's archive. --mirror (say, a bundle of the snapshot) still says where files are read.
/// </summary>
internal static class SnapshotMirror
{
    /// <summary>The snapshot choice for <paramref name="source"/>; null when the build uses no snapshot.</summary>
    /// <param name="snapshot">The build's snapshot time (recipe or --snapshot); null: none.</param>
    /// <param name="snapshotUrl">--snapshot-url, else the template is read from <paramref name="environment"/>.</param>
    /// <param name="mirrorOverride">--mirror: where the files are read, while the image still names the snapshot.</param>
    /// <exception cref="RecipeException">A snapshot without a URL template, or a bad template.</exception>
    public static MirrorChoice? For(DateTimeOffset? snapshot, string? snapshotUrl, IReadOnlyDictionary<string, string> environment,
        string? mirrorOverride, RecipeSource source)
    {
        if (snapshot is not { } time) return null;
        var (template, origin) = snapshotUrl is { Length: > 0 } cli
            ? (cli, "--snapshot-url")
            : environment.TryGetValue(SnapshotTime.TemplateVariable, out var env) && env.Length > 0
                ? (env, SnapshotTime.TemplateVariable)
                : throw new RecipeException(
                    $"snapshot {SnapshotTime.Format(time)}: no snapshot service is configured; give its URL template with " +
                    $"--snapshot-url or {SnapshotTime.TemplateVariable}, e.g. http://snapshot.internal/archive/{{archive}}/{{timestamp}}");
        var url = SnapshotTime.Url(template, origin, source.Archive, time);
        var fetch = mirrorOverride is { Length: > 0 } mirror ? mirror.TrimEnd('/') : url;
        return new MirrorChoice(fetch, url, $"snapshot {SnapshotTime.Format(time)} ({origin})");
    }
}
