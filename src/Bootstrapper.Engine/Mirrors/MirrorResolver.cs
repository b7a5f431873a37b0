using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Recipes;

namespace Bootstrapper.Engine.Mirrors;

/// <summary>
/// Picks the mirror of each recipe source. Precedence (README "Mirrors"): --mirror, then BOOTSTRAP_MIRROR_&lt;ARCHIVE&gt;,
/// then BOOTSTRAP_MIRROR, then the recipe's `mirror`, then the host's apt sources: the first whose
/// dists/SUITE/InRelease verifies with the recipe's keyring (as mmdebstrap can reuse the host's configuration).
/// </summary>
public sealed class MirrorResolver(
    IReadOnlyDictionary<string, string> environment,
    IReadOnlyList<MirrorCandidate> hostSources,
    Func<string, RecipeSource, CancellationToken, Task<bool>> probe)
{
    public const string GlobalVariable = "BOOTSTRAP_MIRROR";

    /// <summary>BOOTSTRAP_MIRROR_DEBIAN_SECURITY for archive "debian-security".</summary>
    public static string ArchiveVariable(string archive) =>
        GlobalVariable + "_" + new string(archive.ToUpperInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());

    public async Task<MirrorChoice> ChooseAsync(RecipeSource source, int index, string? overrideUrl, CancellationToken ct)
    {
        if (!string.IsNullOrEmpty(overrideUrl))
            return Chosen(source, overrideUrl, "--mirror");
        var archiveVar = ArchiveVariable(source.Archive);
        if (environment.TryGetValue(archiveVar, out var fromArchiveVar) && fromArchiveVar.Length > 0)
            return Chosen(source, fromArchiveVar, archiveVar);
        if (environment.TryGetValue(GlobalVariable, out var fromVar) && fromVar.Length > 0)
            return Chosen(source, fromVar, GlobalVariable);
        if (!string.IsNullOrEmpty(source.Mirror))
            return Chosen(source, source.Mirror, "recipe");

        // Host sources that list this suite first: they are the likeliest to verify, and probing costs a request.
        var ordered = hostSources
            .OrderBy(c => c.Suites.Contains(source.Suite, StringComparer.Ordinal) ? 0 : 1)
            .Select(c => Normalize(c.Url))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        foreach (var url in ordered)
        {
            if (await probe(url, source, ct).ConfigureAwait(false))
                return new MirrorChoice(url, url, "host apt sources");
        }

        var tried = ordered.Count == 0
            ? "none is configured"
            : $"none of the host's apt sources ({string.Join(", ", ordered)}) has a dists/{source.Suite}/InRelease that verifies with the recipe's keyring";
        throw new RecipeException(
            $"no mirror for sources[{index}] (suite '{source.Suite}', archive '{source.Archive}'): {tried}. " +
            $"Give one with --mirror URL, {archiveVar}=URL or {GlobalVariable}=URL in the environment, " +
            $"or `mirror = \"URL\"` in the recipe's [[sources]] (http, https and file:// work).");
    }

    private static MirrorChoice Chosen(RecipeSource source, string url, string origin)
    {
        url = Normalize(url);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https" or "file"))
            throw new RecipeException($"mirror '{url}' (from {origin}) is not an http, https or file:// URL");
        // A file:// mirror is a build-time source (a bundle or a local copy): the image should not name it.
        var image = uri.Scheme == "file" && !string.IsNullOrEmpty(source.Mirror) ? Normalize(source.Mirror) : url;
        return new MirrorChoice(url, image, origin);
    }

    private static string Normalize(string url) => url.TrimEnd('/');
}
