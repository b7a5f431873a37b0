using System.Formats.Tar;
using Bootstrapper.Engine.Archives;

namespace Bootstrapper.Engine.Families.Debian.Deb;

/// <summary>
/// The production <see cref="IDebExtractor"/>: our own .deb reader and the extractor that refuses anything that
/// would land outside the root (see <see cref="SafeExtractor"/>).
/// </summary>
internal sealed class SafeDebExtractor : IConcurrentDebExtractor
{
    public Task<IReadOnlyList<string>> ExtractDataAsync(string debPath, string rootDir, string packageName, CancellationToken ct) =>
        Task.FromResult(Extract(debPath, rootDir, packageName, ct, out _).Paths);

    public ExtractedPackage Extract(string debPath, string rootDir, string packageName, CancellationToken ct,
        out ControlFiles control, Func<ControlFiles, Func<string, System.Formats.Tar.TarEntry, bool>>? keepFor = null,
        string? debSha256 = null)
    {
        using var deb = DebArchive.OpenFile(debPath, packageName);
        // A package without md5sums gets them computed at unpack by dpkg; DpkgUnpackRecord writes them from these.
        var options = new ExtractOptions
        {
            Keep = keepFor?.Invoke(deb.Control),
            ComputeMd5 = keepFor is not null && deb.Control["md5sums"] is null,
            Limit = deb.Control.UnpackLimit(new FileInfo(debPath).Length),
        };
        control = deb.Control;
        // The decoded copy when there is a good one for this very .deb.
        if (DecodedDataCache.TryOpen(debPath, debSha256) is { } decoded)
        {
            using var fromCopy = new TarReader(decoded, leaveOpen: false);
            return new SafeExtractor(rootDir, options).Extract(fromCopy, packageName, ct);
        }
        // Else the .deb itself, keeping what is decoded anyway as the copy for the next build: zstd at its fastest
        // level costs a fraction of decoding the xz a second time later, beside dpkg.
        using var recorder = DecodedDataCache.StartRecording(debPath, debSha256);
        var data = deb.OpenDataStream();
        using var stream = recorder is null ? data : recorder.Wrap(data);
        ExtractedPackage result;
        using (var tar = new TarReader(stream, leaveOpen: true))
            result = new SafeExtractor(rootDir, options).Extract(tar, packageName, ct);
        if (recorder is not null)
        {
            // The tar reader stops at the end-of-archive blocks; the copy is of the whole member.
            stream.CopyTo(Stream.Null);
            recorder.Commit();
        }
        return result;
    }
}

/// <summary>The safe extractor applied to a .deb's data member.</summary>
internal static class DebExtraction
{
    /// <summary>Extracts the data member of a .deb (call after reading what you need from its control files).</summary>
    /// <param name="readAhead">See <see cref="DebArchive.OpenData"/>.</param>
    public static ExtractedPackage Extract(this SafeExtractor extractor, DebArchive deb, CancellationToken cancellationToken = default,
        bool readAhead = true)
    {
        using var tar = deb.OpenData(readAhead);
        return extractor.Extract(tar, deb.PackageLabel, cancellationToken);
    }
}
