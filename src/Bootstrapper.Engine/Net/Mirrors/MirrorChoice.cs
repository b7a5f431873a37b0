namespace Bootstrapper.Engine.Net.Mirrors;

/// <summary>Where one recipe source is fetched from, and what the image's own package sources will name.</summary>
/// <param name="FetchUrl">Base URL the build downloads from (may be a file:// bundle or an internal mirror).</param>
/// <param name="ImageUrl">Base URL written into the image (never a file:// path used only for the build).</param>
/// <param name="Origin">How it was chosen, for messages: "--mirror", "BOOTSTRAP_MIRROR", "recipe", "host apt sources".</param>
internal sealed record MirrorChoice(string FetchUrl, string ImageUrl, string Origin);

/// <summary>A repository the host's package manager is configured with (apt sources).</summary>
internal sealed record MirrorCandidate(string Url, IReadOnlyList<string> Suites, string DefinedIn);

/// <summary>Why a probed mirror cannot serve a suite; decides the exit code when no mirror can.</summary>
internal enum MirrorFault
{
    None,
    /// <summary>Refused, timed out, stalled, reset, a 5xx: nothing verifiable came back.</summary>
    Unreachable,
    /// <summary>The mirror answered that it has no such suite (404), or offline, no copy is cached.</summary>
    Missing,
    /// <summary>An answer came back and failed a check: bad or unknown signature, expired, another suite.</summary>
    Unverified,
}

/// <summary>What probing one mirror for one suite found.</summary>
/// <param name="Reason">What happened, for the list in the error ("request failed: Connection refused", "HTTP 404").</param>
internal sealed record MirrorProbe(MirrorFault Fault, string Reason = "")
{
    public static MirrorProbe Usable { get; } = new(MirrorFault.None);
    public bool IsUsable => Fault == MirrorFault.None;
}
