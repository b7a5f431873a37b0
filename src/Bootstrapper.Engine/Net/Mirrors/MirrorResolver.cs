using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Recipes;

namespace Bootstrapper.Engine.Net.Mirrors;

/// <summary>
/// Picks the mirror of each recipe source. Precedence (README "Mirrors"): --mirror, then BOOTSTRAP_MIRROR_&lt;ARCHIVE&gt;,
/// then BOOTSTRAP_MIRROR, then the recipe's `mirror`, then the host's apt sources: the first whose
/// dists/SUITE/InRelease verifies with the recipe's keyring (as mmdebstrap can reuse the host's configuration).
/// When none does, the error lists what each one did (refused, timed out, 404, bad signature, expired), with exit 3
/// when any of them answered with something that failed verification and 5 when none could be reached.
/// </summary>
internal sealed class MirrorResolver(
    IReadOnlyDictionary<string, string> environment,
    IReadOnlyList<MirrorCandidate> hostSources,
    Func<string, RecipeSource, CancellationToken, Task<MirrorProbe>> probe)
{
    public const string GlobalVariable = "BOOTSTRAP_MIRROR";

    /// <summary>BOOTSTRAP_MIRROR_DEBIAN_SECURITY for archive "debian-security".</summary>
    public static string ArchiveVariable(string archive) =>
        GlobalVariable + "_" + new string(archive.ToUpperInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());

    public async Task<MirrorChoice> ChooseAsync(RecipeSource source, int index, MirrorOverrides overrides, CancellationToken ct)
    {
        if (overrides.For(source) is var (overrideUrl, overrideOrigin))
            return Chosen(source, overrideUrl, overrideOrigin);
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
        var failures = new List<(string Url, MirrorProbe Probe)>();
        foreach (var url in ordered)
        {
            var probed = await probe(url, source, ct).ConfigureAwait(false);
            if (probed.IsUsable)
                return new MirrorChoice(url, url, "host apt sources");
            failures.Add((url, probed));
        }

        var where = $"no mirror for sources[{index}] (suite '{source.Suite}', archive '{source.Archive}')";
        var howToGive = $"Give one with --mirror URL (every source), --mirror {source.Archive}=URL, {archiveVar}=URL or " +
                        $"{GlobalVariable}=URL in the environment, or `mirror = \"URL\"` in the recipe's [[sources]] (http, https and file:// work).";
        if (failures.Count == 0)
            throw new RecipeException($"{where}: none is configured. {howToGive}");
        var message = $"{where}: none of the host's apt sources has a dists/{source.Suite}/InRelease that verifies " +
                      $"with the recipe's keyring:\n  {string.Join("\n  ", failures.Select(f => $"{f.Url}: {f.Probe.Reason}"))}\n{howToGive}";
        // A mirror that answered with something that does not verify is a trust problem (exit 3), even beside
        // mirrors that could not be reached; only when nothing answered is it a network problem (exit 5).
        if (failures.Any(f => f.Probe.Fault == MirrorFault.Unverified))
            throw new VerificationException(message);
        throw new FetchException(message);
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
