using Bootstrapper.Core.Debian.Control;
using Bootstrapper.Core.Planning;

namespace Bootstrapper.Core.Debian.Resolution;

/// <summary>One selected package and why.</summary>
/// <param name="Reason">
/// "Essential: yes", "Priority: required", "requested by variant apt", "requested (include)" or
/// "dependency of apt (Depends: libapt-pkg6.0 (>= 2.6.1))".
/// </param>
/// <param name="RequiredBy">The package whose dependency pulled this one in; null for seeds.</param>
internal sealed record ResolvedPackage(DebianPackage Package, string Reason, string? RequiredBy)
{
    public PlannedPackage ToPlannedPackage() => new()
    {
        Name = Package.Name,
        Version = Package.Version.Text,
        Architecture = Package.Architecture,
        Size = Package.Size,
        Sha256 = Package.Sha256,
        Filename = Package.Filename,
        RepositoryUrl = Package.RepositoryUrl,
        Reason = Reason,
        Source = Package.Source,
        InstalledSizeKiB = Package.InstalledSizeKiB,
    };
}

/// <summary>The result of <see cref="DebianResolver.Resolve"/>: packages in the order they were selected.</summary>
internal sealed record DebianResolution(IReadOnlyList<ResolvedPackage> Packages)
{
    public IEnumerable<string> Names => Packages.Select(p => p.Package.Name);

    public IReadOnlyList<PlannedPackage> ToPlannedPackages() => Packages.Select(p => p.ToPlannedPackage()).ToList();
}
