using Bootstrapper.Core.Images.Manifest;
using Bootstrapper.Core.Planning;
using Bootstrapper.Engine.Net.Bundles;

namespace Bootstrapper.Engine.Pipeline;

/// <summary>
/// One family's resolved plan together with what its later steps need from the planning (the mirrors chosen, the
/// verified indices, Debian's essential set, Alpine's index entries): the typed state that travels from plan to
/// download, install and bundle. A family subclasses it; the pipeline calls its steps in that order.
/// </summary>
internal abstract class FamilyPlan(Plan plan)
{
    /// <summary>What every family's plan has: the packages, typed (<see cref="PlannedPackage"/>), and the indices.</summary>
    public Plan Plan { get; } = plan;

    /// <summary>
    /// The order to download in: the order the install needs the files, since it starts on each as soon as it is
    /// verified (<see cref="PackageFiles"/>).
    /// </summary>
    public virtual IReadOnlyList<PlannedPackage> DownloadOrder => Plan.Packages;

    /// <summary>
    /// Checks a package file that the index pins by something other than its SHA-256 (Alpine: the package signature,
    /// the .PKGINFO datahash and the index's C:). The pipeline calls it after the size and SHA-256 checks: on every
    /// use from the cache, before a download is kept, and before a bundle is said to hold the file. The default has
    /// nothing to add.
    /// </summary>
    /// <param name="label">How a message names the file: its cache path, or where it was downloaded from.</param>
    /// <exception cref="Core.Errors.VerificationException">The file is not the package <paramref name="package"/> names.</exception>
    public virtual void VerifyPackageFile(PlannedPackage package, string file, string label)
    {
    }

    /// <summary>
    /// Installs the packages into <paramref name="root"/> (an empty folder) and configures them, then removes
    /// build-time traces (logs, caches, host data). <paramref name="files"/> hands over each package's verified file
    /// as the download delivers it.
    /// </summary>
    public abstract Task<InstallOutcome> InstallAsync(BuildSession session, PackageFiles files, string root, CancellationToken ct);

    /// <summary>The verified indices with their cached files, for `bootstrap fetch --bundle`.</summary>
    public abstract IReadOnlyList<BundleSuite> BundleSuites(BuildSession session);

    /// <summary>Where a package goes in a bundle: by default its index path, which is relative to the mirror root.</summary>
    public virtual string BundlePath(PlannedPackage package) => package.Filename;
}

/// <summary>What an install reports for the manifest and the SBOMs, read while the staging root still exists.</summary>
internal sealed record InstallOutcome
{
    /// <summary>Package name -> SPDX expression, for the packages that declare one machine-readably.</summary>
    public IReadOnlyDictionary<string, string> Licenses { get; init; } = new Dictionary<string, string>();
    /// <summary>Paths the recipe's customization added.</summary>
    public IReadOnlyList<ManifestFile> AddedFiles { get; init; } = [];
    /// <summary>The recipe's run steps, as run.</summary>
    public IReadOnlyList<ManifestRunStep> RunSteps { get; init; } = [];
}
