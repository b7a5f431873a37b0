using System.Formats.Tar;
using Bootstrapper.Engine.Archives;

namespace Bootstrapper.Engine.Debian;

/// <summary>
/// The production <see cref="IDebExtractor"/>: our own .deb reader and the extractor that refuses anything that
/// would land outside the root (see <see cref="SafeExtractor"/>).
/// </summary>
public sealed class SafeDebExtractor : IConcurrentDebExtractor
{
    public Task<IReadOnlyList<string>> ExtractDataAsync(string debPath, string rootDir, string packageName, CancellationToken ct) =>
        Task.FromResult(Extract(debPath, rootDir, packageName, ct).Paths);

    public ExtractedPackage Extract(string debPath, string rootDir, string packageName, CancellationToken ct,
        Func<string, System.Formats.Tar.TarEntry, bool>? keep = null)
    {
        using var deb = DebArchive.OpenFile(debPath, packageName);
        // A package without md5sums gets them computed at unpack by dpkg; DpkgUnpackRecord writes them from these.
        var options = new ExtractOptions { Keep = keep, ComputeMd5 = keep is not null && deb.Control["md5sums"] is null };
        var extractor = new SafeExtractor(rootDir, options);
        if (DecodedDataCache.TryOpen(debPath) is { } decoded)
        {
            using var cachedTar = new TarReader(decoded, leaveOpen: false);
            return extractor.Extract(cachedTar, packageName, ct);
        }
        // No copy yet: read the .deb itself. The copy is made later, off the critical path (Installer).
        using var tar = deb.OpenData();
        var result = extractor.Extract(tar, packageName, ct);
        return result;
    }
}
