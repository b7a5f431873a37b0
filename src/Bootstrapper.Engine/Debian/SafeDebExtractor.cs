using Bootstrapper.Engine.Archives;

namespace Bootstrapper.Engine.Debian;

/// <summary>
/// The production <see cref="IDebExtractor"/>: our own .deb reader and the extractor that refuses anything that
/// would land outside the root (see <see cref="SafeExtractor"/>).
/// </summary>
public sealed class SafeDebExtractor : IDebExtractor
{
    public Task<IReadOnlyList<string>> ExtractDataAsync(string debPath, string rootDir, string packageName, CancellationToken ct)
    {
        using var deb = DebArchive.OpenFile(debPath, packageName);
        var extracted = new SafeExtractor(rootDir).Extract(deb, ct);
        return Task.FromResult(extracted.Paths);
    }
}
