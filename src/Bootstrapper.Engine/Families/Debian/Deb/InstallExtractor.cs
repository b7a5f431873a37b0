using Bootstrapper.Engine.Archives;
using Bootstrapper.Engine.Families.Debian.Install;

namespace Bootstrapper.Engine.Families.Debian.Deb;

/// <summary>
/// Extracts the data member of a .deb into a root directory (stage 1 of the install: files only, no scripts,
/// no dpkg database). The production implementation is the safe extractor in Engine/Archives; it must keep
/// existing directory symlinks (the merged-/usr links) instead of replacing them with directories, like
/// <c>tar --keep-directory-symlink</c>.
/// </summary>
internal interface IDebExtractor
{
    /// <summary>Extracts the files of <paramref name="debPath"/> under <paramref name="rootDir"/>.</summary>
    /// <returns>The paths written, relative to the root, as in the archive ("./usr/bin/dpkg" or "usr/bin/dpkg").</returns>
    Task<IReadOnlyList<string>> ExtractDataAsync(string debPath, string rootDir, string packageName, CancellationToken ct);
}

/// <summary>
/// An extractor that can run for several packages at once in one root and reports which directories and paths
/// each touched, so that the installer can give directories the metadata a one-by-one extraction would have given
/// them (see <see cref="StageOneDirectories"/>).
/// </summary>
internal interface IConcurrentDebExtractor : IDebExtractor
{
    /// <param name="keepFor">
    /// Given the package's control member (read anyway to open the .deb), which members to hand back with their data
    /// (<see cref="ExtractOptions.Keep"/>).
    /// </param>
    /// <param name="control">The package's control member (read anyway to open the .deb).</param>
    /// <param name="debSha256">The .deb's SHA-256 from the signed index (already checked): a decoded copy kept in
    /// the cache is used only when bound to it (<see cref="DecodedDataCache"/>); null reads the .deb.</param>
    ExtractedPackage Extract(string debPath, string rootDir, string packageName, CancellationToken ct,
        out ControlFiles control, Func<ControlFiles, Func<string, System.Formats.Tar.TarEntry, bool>>? keepFor = null,
        string? debSha256 = null);
}
