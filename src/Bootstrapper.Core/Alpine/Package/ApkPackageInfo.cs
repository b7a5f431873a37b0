using Bootstrapper.Core.Alpine.Versions;

namespace Bootstrapper.Core.Alpine.Package;

/// <summary>
/// One package stanza of an APKINDEX (field letters from apk-tools apk_pkg_write_index_header):
/// C checksum, P name, V version, A arch, S size, I installed size, T description, U url, L license, o origin,
/// m maintainer, t build time, c commit, k provider_priority, D depends, p provides, i install_if.
/// </summary>
internal sealed record ApkPackageInfo
{
    /// <summary>"Q1" + base64 SHA-1 of the package's control member (compressed bytes): its identity.</summary>
    public required string Checksum { get; init; }
    public required string Name { get; init; }
    public required string Version { get; init; }
    public string Arch { get; init; } = "";
    public long Size { get; init; }
    public long InstalledSize { get; init; }
    public string Description { get; init; } = "";
    public string Url { get; init; } = "";
    public string License { get; init; } = "";
    public string Origin { get; init; } = "";
    public string Maintainer { get; init; } = "";
    public long BuildTime { get; init; }
    public string Commit { get; init; } = "";
    public int ProviderPriority { get; init; }
    public IReadOnlyList<ApkDependency> Depends { get; init; } = [];
    public IReadOnlyList<ApkDependency> Provides { get; init; } = [];
    public IReadOnlyList<ApkDependency> InstallIf { get; init; } = [];
    /// <summary>Raw D:, p:, i: values, re-emitted verbatim into lib/apk/db/installed.</summary>
    public string? DependsText { get; init; }
    public string? ProvidesText { get; init; }
    public string? InstallIfText { get; init; }
    /// <summary>Position of the repository in the recipe (0 = first); apk prefers the lowest on a tie.</summary>
    public int RepositoryOrder { get; init; }
    /// <summary>Directory URL the package is fetched from: &lt;mirror&gt;/&lt;branch&gt;/&lt;repo&gt;/&lt;arch&gt;.</summary>
    public string RepositoryUrl { get; init; } = "";

    /// <summary>File name inside the repository directory (apk: "${name}-${version}.apk").</summary>
    public string FileName => $"{Name}-{Version}.apk";

    public override string ToString() => $"{Name}-{Version}";
}
