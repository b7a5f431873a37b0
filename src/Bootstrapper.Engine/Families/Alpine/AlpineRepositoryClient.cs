using System.Security.Cryptography;
using System.Text;
using Bootstrapper.Core.Alpine.Index;
using Bootstrapper.Core.Alpine.Package;
using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Net.Http;

namespace Bootstrapper.Engine.Families.Alpine;

/// <summary>
/// Downloads and verifies Alpine repository indexes and packages through the shared <see cref="Downloader"/>
/// (http, https and file:// mirrors, retries, size checks). A verified APKINDEX.tar.gz is kept in
/// <c>indexCache</c>; with <c>offline</c> set, http(s) indexes come from there (and are verified again: the
/// signature travels with the file). Nothing checks an index's age: APKINDEX has no Valid-Until.
/// </summary>
internal sealed class AlpineRepositoryClient(Downloader downloader, string? indexCache = null, bool offline = false)
{
    /// <summary>Repository directory URL: &lt;mirror&gt;/&lt;branch&gt;/&lt;repo&gt;/&lt;arch&gt;.</summary>
    public static string RepositoryUrl(string baseUrl, string branch, string repository, string arch) =>
        $"{baseUrl.TrimEnd('/')}/{branch}/{repository}/{arch}";

    /// <summary>Fetches APKINDEX.tar.gz and verifies its signature against <paramref name="keys"/>.</summary>
    /// <param name="order">Repository priority (0 = first in the recipe); apk prefers the earlier on a tie.</param>
    public async Task<ApkRepositoryIndex> FetchAsync(string baseUrl, string branch, string repository, string arch,
        ApkKeyring keys, int order, CancellationToken ct)
    {
        var dir = RepositoryUrl(baseUrl, branch, repository, arch);
        var url = dir + "/APKINDEX.tar.gz";
        var cached = CachedIndexPath(url);
        byte[] bytes;
        bool fromCache = offline && !url.StartsWith("file:", StringComparison.Ordinal);
        if (fromCache)
        {
            if (cached is null || !File.Exists(cached))
                throw new FetchException($"--offline: {url} is not in the index cache; run once online first.");
            bytes = await File.ReadAllBytesAsync(cached, ct).ConfigureAwait(false);
        }
        else
        {
            bytes = await downloader.GetBytesAsync(url, cancellationToken: ct).ConfigureAwait(false);
        }
        var index = ApkIndex.Verify(bytes, keys, url, order, dir);
        // Verified bytes are kept as fetched (file:// ones too): a bundle copies them, and the signature must
        // still verify wherever the copy goes.
        if (cached is not null && !fromCache)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(cached)!);
            var tmp = cached + "." + Environment.ProcessId + ".tmp";
            await File.WriteAllBytesAsync(tmp, bytes, ct).ConfigureAwait(false);
            File.Move(tmp, cached, overwrite: true);
        }
        return index;
    }

    /// <summary>Where the verified APKINDEX.tar.gz fetched from <paramref name="indexUrl"/> is kept; null without a cache.</summary>
    public string? CachedIndexPath(string indexUrl) => indexCache is null
        ? null
        : Path.Combine(indexCache, "alpine", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(indexUrl))) + ".APKINDEX.tar.gz");

    /// <summary>
    /// Downloads a package to <paramref name="destination"/> (size checked by the downloader), then verifies its
    /// signature, datahash and the index's C: before keeping it; a package that fails is deleted.
    /// </summary>
    public async Task DownloadPackageAsync(ApkPackageInfo package, ApkKeyring keys, string destination,
        CancellationToken ct)
    {
        var url = $"{package.RepositoryUrl}/{Uri.EscapeDataString(package.FileName)}";
        await downloader.DownloadAsync(url, destination, package.Size > 0 ? package.Size : null, cancellationToken: ct).ConfigureAwait(false);
        try
        {
            ApkPackageFile.Verify(await File.ReadAllBytesAsync(destination, ct).ConfigureAwait(false), keys, package, url);
        }
        catch
        {
            File.Delete(destination);
            throw;
        }
    }
}
