using Bootstrapper.Core.Debian.Control;
using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Families.Debian.Repository;
using Bootstrapper.Engine.Net.Bundles;
using Bootstrapper.Engine.Pipeline;

namespace Bootstrapper.Engine.Families.Debian;

/// <summary>A Debian plan's bundle: the signed release files and the indices they hash, as the plan verified them.</summary>
internal sealed partial class DebianPlan
{
    public override IReadOnlyList<BundleSuite> BundleSuites(BuildSession session)
    {
        var cache = new RepositoryIndexCache(session.Options.CacheDirectory);
        return Indices.Select((ix, i) =>
        {
            // The client caches exactly the signed bytes it verified; they are copied, never re-encoded.
            var dir = cache.ReleaseDirectory(ix.Request.Root, ix.Request.Suite);
            var signed = ix.Info.Url.EndsWith("/InRelease", StringComparison.Ordinal)
                ? new[] { ("InRelease", Path.Combine(dir, "InRelease")) }
                : [("Release", Path.Combine(dir, "Release")), ("Release.gpg", Path.Combine(dir, "Release.gpg"))];
            foreach (var (name, path) in signed)
                if (!File.Exists(path))
                    throw new FetchException($"{ix.Request.DistsUrl}{name}: verified, but its cached copy {path} " +
                                                         "is gone (another build pruned the cache?); run the fetch again");
            var files = new List<(string, string)>();
            foreach (var c in ix.Components)
            {
                var (entry, cached) = BundledIndex(cache, ix.Release, c.Entry);
                files.Add((entry.Path, cached));
                // Acquire-By-Hash clients ask for the by-hash name first; a bundle must answer it too (the writer
                // hard-links the second name to the first).
                if (ix.Release.AcquireByHash)
                    files.Add(($"{Path.GetDirectoryName(entry.Path)}/by-hash/SHA256/{entry.Sha256}", cached));
            }
            return new BundleSuite(ix.Request.Suite, ImageSources[i].Url, signed, files);
        }).ToList();
    }

    /// <summary>
    /// The index a bundle carries for a component: the compressed one the Release names, when the cache has it (a
    /// plan may have read the decoded copy, ~50 MB for bookworm main against ~9 MB of .xz), else the one used.
    /// </summary>
    private static (ReleaseEntry Entry, string Cached) BundledIndex(RepositoryIndexCache cache, ReleaseFile release, ReleaseEntry used)
    {
        var directory = Path.GetDirectoryName(used.Path);
        foreach (var (fileName, extension) in RepositoryIndexDecoder.Candidates)
            if (release.Find($"{directory}/{fileName}") is { } entry && cache.TryGetBlob(entry.Sha256, extension, entry.Size) is { } path)
                return (entry, path);
        var usedExtension = Path.GetExtension(used.Path).TrimStart('.');
        return (used, cache.TryGetBlob(used.Sha256, usedExtension, used.Size)
                      ?? throw new FetchException($"{release.Source}: {used.Path} was verified, but its cached copy is gone; run the fetch again"));
    }
}
