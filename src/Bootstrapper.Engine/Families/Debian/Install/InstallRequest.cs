using Bootstrapper.Core.Planning;

namespace Bootstrapper.Engine.Families.Debian.Install;

/// <summary>Everything <see cref="Installer"/> needs to turn downloaded .debs into a configured root.</summary>
internal sealed record InstallRequest
{
    /// <summary>Absolute path of the staging root: empty or missing (the installer creates it).</summary>
    public required string RootDirectory { get; init; }

    /// <summary>The resolved packages, each with its verified .deb on the build host.</summary>
    public required IReadOnlyList<InstallPackage> Packages { get; init; }

    /// <summary>Suite codename ("bookworm"); decides merged-/usr handling (<see cref="InstallSuiteTraits"/>).</summary>
    public required string Suite { get; init; }

    /// <summary>dpkg architecture of the image ("amd64"); must be runnable on the build host.</summary>
    public required string Architecture { get; init; }

    /// <summary>Passed to every maintainer script as SOURCE_DATE_EPOCH when set.</summary>
    public long? SourceDateEpoch { get; init; }

    /// <summary>
    /// Waits until a package's .deb is verified at its <see cref="InstallPackage.DebPath"/>: the download may still be
    /// running, and the installer starts on each file as soon as it is there. Null: every file is there already.
    /// </summary>
    public Func<InstallPackage, CancellationToken, Task>? WaitForFile { get; init; }

    /// <summary>Receives every line the child processes print, and the installer's own phase lines.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>When true, child output lines are also reported through the progress callback (--verbose).</summary>
    public bool Verbose { get; init; }

    /// <summary>
    /// Runs once the essential set is configured, before the other packages (mmdebstrap's essential hook): the
    /// recipe's `after-essential` steps. Services are still kept from starting there.
    /// </summary>
    public Func<CancellationToken, Task>? AfterEssential { get; init; }
}

/// <summary>One package to install.</summary>
/// <param name="Name">Package name as in its control file.</param>
/// <param name="Version">Version as in its control file.</param>
/// <param name="Architecture">Package architecture ("amd64", "all").</param>
/// <param name="DebPath">The verified .deb on the build host.</param>
/// <param name="InEssentialSet">
/// True for the Essential:yes packages and their dependencies (mmdebstrap's "essential" variant): these are
/// extracted in stage 1 and installed with --force-depends first, because dpkg itself needs them to run.
/// </param>
/// <param name="Sha256">The .deb's SHA-256 from the signed index (the file was checked against it): what its decoded
/// copy in the cache must be bound to; null uses no copy.</param>
internal sealed record InstallPackage(
    string Name,
    string Version,
    string Architecture,
    string DebPath,
    bool InEssentialSet,
    string? Sha256 = null)
{
    /// <summary>Bytes of the .deb from the signed index (orders the work before the file is there); 0: ask the file.</summary>
    public long Size { get; init; }

    /// <summary>From a plan entry and the verified file fetched for it.</summary>
    public static InstallPackage From(PlannedPackage planned, string debPath, bool inEssentialSet) =>
        new(planned.Name, planned.Version, planned.Architecture, debPath, inEssentialSet, planned.Sha256) { Size = planned.Size };

    /// <summary>The .deb's size: the index's, else the file's (which must then be there).</summary>
    internal long FileSize => Size > 0 ? Size : new FileInfo(DebPath).Length;
}
