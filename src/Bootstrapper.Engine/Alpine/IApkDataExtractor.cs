using Bootstrapper.Core.Alpine;

namespace Bootstrapper.Engine.Alpine;

/// <summary>
/// Writes a package's data entries into the staging root. Kept behind this interface so the shared
/// Engine/Archives extractor can replace <see cref="SafeApkExtractor"/> once it exists, without touching the installer.
/// </summary>
public interface IApkDataExtractor
{
    /// <summary>Extracts <paramref name="entries"/> under <paramref name="root"/>; hostile paths raise InstallException.</summary>
    void Extract(string root, IReadOnlyList<ApkTarEntry> entries, string package);
}
