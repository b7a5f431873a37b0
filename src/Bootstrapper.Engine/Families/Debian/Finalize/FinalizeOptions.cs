namespace Bootstrapper.Engine.Families.Debian.Finalize;

/// <summary>What <see cref="Finalizer"/> needs to turn a configured root into image content.</summary>
internal sealed record FinalizeOptions
{
    /// <summary>Absolute path of the configured root.</summary>
    public required string RootDirectory { get; init; }

    /// <summary>Suite codename, for messages.</summary>
    public required string Suite { get; init; }

    /// <summary>The image's apt sources (the mirrors users of the image should reach, never a build-time path).</summary>
    public required IReadOnlyList<AptSource> Sources { get; init; }

    /// <summary>"debian" or "ubuntu": names the image's sources file (etc/apt/sources.list.d/VENDOR.sources).</summary>
    public string Vendor { get; init; } = "debian";

    /// <summary>Written to /etc/hostname when set; otherwise /etc/hostname is absent (the runtime provides one).</summary>
    public string? Hostname { get; init; }

    /// <summary>When set, shadow's "last password change" days are clamped to this moment.</summary>
    public long? SourceDateEpoch { get; init; }

    /// <summary>dpkg's native architecture: written to /var/lib/dpkg/arch (null: not written).</summary>
    public string? Architecture { get; init; }

    /// <summary>Every installed package (name, architecture), for apt's automatic marks.</summary>
    public IReadOnlyList<(string Name, string Architecture)> Installed { get; init; } = [];

    /// <summary>The packages the recipe names in `include`: apt marks them manual, all others automatic.</summary>
    public IReadOnlyCollection<string> Manual { get; init; } = [];

    /// <summary>Receives one line per change made.</summary>
    public Action<string>? Log { get; init; }
}

/// <summary>One deb822 stanza of /etc/apt/sources.list.d/debian.sources (sources.list(5), "DEB822-STYLE FORMAT").</summary>
/// <param name="Types">"deb" and/or "deb-src".</param>
/// <param name="Uris">Repository base URLs (http, https or similar; never file: or copy:).</param>
/// <param name="Suites">"bookworm", "bookworm-updates"...</param>
/// <param name="Components">"main"...</param>
/// <param name="SignedBy">Keyring path inside the image, as the official image names it, or null.</param>
internal sealed record AptSource(
    IReadOnlyList<string> Types,
    IReadOnlyList<string> Uris,
    IReadOnlyList<string> Suites,
    IReadOnlyList<string> Components,
    string? SignedBy)
{
    /// <summary>
    /// False writes `Check-Valid-Until: no`: for a snapshot or a suite the recipe reads past its Valid-Until, apt
    /// in the image would refuse the same Release the build accepted.
    /// </summary>
    public bool CheckValidUntil { get; init; } = true;
}
