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
    public PlannedPackage ToPlannedPackage()
    {
        var extra = new Dictionary<string, string>(StringComparer.Ordinal) { ["Source"] = Package.Source };
        if (Package.PriorityText is { } priority) extra["Priority"] = priority;
        if (Package.Essential) extra["Essential"] = "yes";
        if (Package.MultiArch != MultiArch.No) extra["Multi-Arch"] = Package.MultiArch.ToString().ToLowerInvariant();
        if (Package.InstalledSizeKiB is { } size) extra["Installed-Size"] = size.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new PlannedPackage
        {
            Name = Package.Name,
            Version = Package.Version.Text,
            Architecture = Package.Architecture,
            Size = Package.Size,
            Sha256 = Package.Sha256,
            Filename = Package.Filename,
            RepositoryUrl = Package.RepositoryUrl,
            Reason = Reason,
            Extra = extra,
        };
    }
}

/// <summary>The result of <see cref="DebianResolver.Resolve"/>: packages in the order they were selected.</summary>
internal sealed record DebianResolution(IReadOnlyList<ResolvedPackage> Packages)
{
    public IEnumerable<string> Names => Packages.Select(p => p.Package.Name);

    public IReadOnlyList<PlannedPackage> ToPlannedPackages() => Packages.Select(p => p.ToPlannedPackage()).ToList();
}
