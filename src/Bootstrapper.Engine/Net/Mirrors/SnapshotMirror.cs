using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Recipes;
using Bootstrapper.Engine.Pipeline;

namespace Bootstrapper.Engine.Net.Mirrors;

/// <summary>
/// With a snapshot (recipe `snapshot`, --snapshot), every source comes from the snapshot service at that time, and
/// the image's apt sources name the snapshot: an old image rebuilt exactly, which `apt-get install` inside it
/// extends from the same day's archive. --mirror (say, a bundle of the snapshot) still says where files are read.
/// </summary>
internal static class SnapshotMirror
{
    /// <summary>The snapshot choice for <paramref name="source"/>; null when the build uses no snapshot.</summary>
    /// <exception cref="RecipeException">A snapshot without a URL template, or a bad template.</exception>
    public static MirrorChoice? For(BuildSession session, RecipeSource source)
    {
        if (session.Snapshot is not { } time) return null;
        var (template, origin) = session.Options.SnapshotUrl is { Length: > 0 } cli
            ? (cli, "--snapshot-url")
            : session.Options.Environment.TryGetValue(SnapshotTime.TemplateVariable, out var env) && env.Length > 0
                ? (env, SnapshotTime.TemplateVariable)
                : throw new RecipeException(
                    $"snapshot {SnapshotTime.Format(time)}: no snapshot service is configured; give its URL template with " +
                    $"--snapshot-url or {SnapshotTime.TemplateVariable}, e.g. http://snapshot.internal/archive/{{archive}}/{{timestamp}}");
        var url = SnapshotTime.Url(template, origin, source.Archive, time);
        var fetch = session.Options.MirrorOverride is { Length: > 0 } mirror ? mirror.TrimEnd('/') : url;
        return new MirrorChoice(fetch, url, $"snapshot {SnapshotTime.Format(time)} ({origin})");
    }
}
