using Bootstrapper.Core.Alpine.Package;

namespace Bootstrapper.Engine.Families.Alpine;

/// <summary>Writes a verified package's data section into the staging root.</summary>
internal interface IApkDataExtractor
{
    /// <summary>Extracts under <paramref name="root"/>; hostile paths raise InstallException naming <paramref name="label"/>.</summary>
    void Extract(string root, ApkPackageContents package, string label, CancellationToken ct);
}
