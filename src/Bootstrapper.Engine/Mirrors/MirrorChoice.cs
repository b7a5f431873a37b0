namespace Bootstrapper.Engine.Mirrors;

/// <summary>Where one recipe source is fetched from, and what the image's own package sources will name.</summary>
/// <param name="FetchUrl">Base URL the build downloads from (may be a file:// bundle or an internal mirror).</param>
/// <param name="ImageUrl">Base URL written into the image (never a file:// path used only for the build).</param>
/// <param name="Origin">How it was chosen, for messages: "--mirror", "BOOTSTRAP_MIRROR", "recipe", "host apt sources".</param>
public sealed record MirrorChoice(string FetchUrl, string ImageUrl, string Origin);

/// <summary>A repository the host's package manager is configured with (apt sources).</summary>
public sealed record MirrorCandidate(string Url, IReadOnlyList<string> Suites, string DefinedIn);
