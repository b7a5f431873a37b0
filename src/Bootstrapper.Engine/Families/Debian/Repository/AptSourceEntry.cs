namespace Bootstrapper.Engine.Families.Debian.Repository;

/// <summary>One (type, URI) of the host's apt configuration, with the suites and components it serves.</summary>
/// <param name="Type">"deb" or "deb-src".</param>
/// <param name="Uri">Repository root as written (no trailing slash).</param>
/// <param name="SignedBy">Signed-By as written: keyring path(s) or fingerprints, or an inline key block; null when absent.</param>
/// <param name="Architectures">Empty when not restricted.</param>
/// <param name="File">The file it came from, for messages.</param>
internal sealed record AptSourceEntry(
    string Type, string Uri, IReadOnlyList<string> Suites, IReadOnlyList<string> Components, string? SignedBy,
    IReadOnlyList<string> Architectures, string File);
