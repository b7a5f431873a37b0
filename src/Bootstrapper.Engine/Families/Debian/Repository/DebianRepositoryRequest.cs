using Bootstrapper.Core.OpenPgp;

namespace Bootstrapper.Engine.Families.Debian.Repository;

/// <summary>What to fetch from one Debian-style repository.</summary>
/// <param name="BaseUrl">Repository root holding dists/ and pool/ (http, https or file://).</param>
/// <param name="Suite">Suite or codename as in dists/SUITE ("bookworm", "bookworm-security", "stable").</param>
/// <param name="Components">"main", ...</param>
/// <param name="Architecture">Debian architecture name ("amd64").</param>
/// <param name="Keyring">Keys the Release may be signed with.</param>
internal sealed record DebianRepositoryRequest(
    string BaseUrl, string Suite, IReadOnlyList<string> Components, string Architecture, OpenPgpKeyring Keyring)
{
    /// <summary>
    /// Why an expired Release (past its Valid-Until) may be used, named in the warning ("--no-check-valid-until",
    /// "--locked"...); null: expiry fails the fetch.
    /// </summary>
    public string? ExpiryAcceptedBy { get; init; }

    /// <summary>BaseUrl without trailing slashes.</summary>
    public string Root => BaseUrl.TrimEnd('/');

    /// <summary>ROOT/dists/SUITE/ (with trailing slash).</summary>
    public string DistsUrl => $"{Root}/dists/{Suite}/";
}
