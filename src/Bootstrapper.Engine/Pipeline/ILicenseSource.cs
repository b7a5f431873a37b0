using Bootstrapper.Core.Planning;

namespace Bootstrapper.Engine.Pipeline;

/// <summary>A family that can tell the declared licence of installed packages (for the manifest and the SBOM).</summary>
internal interface ILicenseSource
{
    /// <summary>
    /// Package name -> SPDX expression, for the packages that declare one machine-readably. Called after install,
    /// while the staging root still exists.
    /// </summary>
    IReadOnlyDictionary<string, string> Licenses(Plan plan, string root);
}
