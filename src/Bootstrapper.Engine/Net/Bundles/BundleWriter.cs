using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Os.Native;

namespace Bootstrapper.Engine.Net.Bundles;

/// <summary>One suite of a bundle: its signed release file(s) and the indices that Release hashes.</summary>
/// <param name="OriginalMirror">Base URL the suite was fetched from (what the image's apt sources will name).</param>
/// <param name="SignedFiles">File name under dists/SUITE/ ("InRelease", or "Release" and "Release.gpg") -> the
/// verified bytes' path in the cache. Copied byte for byte: the signature must still verify on the other machine.</param>
/// <param name="Indices">Path under dists/SUITE/ ("main/binary-amd64/Packages.xz", or its by-hash path) -> cached file.</param>
internal sealed record BundleSuite(
    string Suite, string OriginalMirror, IReadOnlyList<(string Name, string CachedPath)> SignedFiles,
    IReadOnlyList<(string Path, string CachedPath)> Indices)
{
    /// <summary>The folder under the bundle that holds <see cref="SignedFiles"/> and <see cref="Indices"/>:
    /// dists/SUITE for Debian; Alpine's signed APKINDEX.tar.gz sits in BRANCH/REPO/ARCH instead.</summary>
    public string Folder { get; init; } = $"dists/{Suite}";
}

/// <summary>A package file to place at its pool path.</summary>
/// <param name="Verify">Checks the copy (its path, and the bundle path to name in a message) before it is renamed
/// into place: throws <see cref="VerificationException"/> when it is not the package.</param>
internal sealed record BundlePackage(string Filename, string CachedPath, Action<string, string>? Verify = null);

/// <summary>What <see cref="BundleWriter.Write"/> wrote.</summary>
internal sealed record BundleSummary(string Directory, int Files, long Bytes);

/// <summary>
/// Writes a directory that is itself a Debian mirror for a recipe: dists/SUITE/ of every source (all suites under
/// one root, which works because suite names differ), the packages at their pool paths, and
/// <see cref="BundleMetadata"/>. An existing bundle is updated in place: files are replaced atomically (temporary
/// name, then rename), and the metadata is written last, so an interrupted update leaves the previous
/// InRelease-to-index chain or the new one, never a file that is half one and half the other.
/// </summary>
internal static class BundleWriter
{
    public static BundleSummary Write(string directory, IReadOnlyList<BundleSuite> suites, IReadOnlyList<BundlePackage> packages)
    {
        directory = Path.GetFullPath(directory);
        Directory.CreateDirectory(directory);
        int files = 0;
        long bytes = 0;
        // A file placed under two names (an index and its by-hash name) is stored once: the second is a hard link.
        var placed = new Dictionary<string, string>(StringComparer.Ordinal);
        void Place(string relative, string source, Action<string, string>? verify = null)
        {
            var target = Inside(directory, relative);
            var linked = false;
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            var tmp = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Environment.ProcessId}.tmp");
            try
            {
                if (File.Exists(tmp)) File.Delete(tmp);
                linked = verify is null && placed.TryGetValue(source, out _);
                if (linked) LibC.Link(placed[source], tmp);
                else File.Copy(source, tmp, overwrite: true);
                verify?.Invoke(tmp, target);
                File.Move(tmp, target, overwrite: true);
                placed.TryAdd(source, target);
            }
            finally
            {
                if (File.Exists(tmp)) File.Delete(tmp);
            }
            files++;
            if (!linked) bytes += new FileInfo(target).Length; // stored once

        }

        // Packages first and the signed release files last: a reader of a half-updated bundle finds the old
        // InRelease, whose indices and packages are still all there.
        foreach (var p in packages) Place(p.Filename, p.CachedPath, p.Verify);
        foreach (var s in suites)
            foreach (var (path, cached) in s.Indices)
                Place($"{s.Folder}/{path}", cached);
        foreach (var s in suites)
        {
            foreach (var (name, cached) in s.SignedFiles)
                Place($"{s.Folder}/{name}", cached);
            // A switch between InRelease and Release + Release.gpg must not leave the other form behind, stale.
            var stale = s.SignedFiles.Any(f => f.Name == "InRelease") ? new[] { "Release", "Release.gpg" }
                : s.SignedFiles.Any(f => f.Name == "Release") ? ["InRelease"] : [];
            foreach (var name in stale) File.Delete(Inside(directory, $"{s.Folder}/{name}"));
        }

        var mirrors = new Dictionary<string, string>(BundleMetadata.TryRead(directory)?.OriginalMirrors
                                                     ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var s in suites) mirrors[s.Suite] = s.OriginalMirror;
        var metadata = Path.Combine(directory, BundleMetadata.FileName);
        var tmpMeta = metadata + $".{Environment.ProcessId}.tmp";
        File.WriteAllText(tmpMeta, new BundleMetadata(mirrors).ToJson());
        File.Move(tmpMeta, metadata, overwrite: true);
        return new BundleSummary(directory, files + 1, bytes);
    }

    /// <summary>Repository paths come from signed indices, but a hostile index could still name "../x": refuse.</summary>
    private static string Inside(string directory, string relative)
    {
        var full = Path.GetFullPath(Path.Combine(directory, relative));
        if (relative.StartsWith('/') || !full.StartsWith(directory + "/", StringComparison.Ordinal))
            throw new VerificationException(
                $"repository path '{relative}' would be written outside the bundle {directory}; the index is malformed or hostile");
        return full;
    }
}
