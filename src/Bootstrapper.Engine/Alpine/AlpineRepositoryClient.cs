using System.Net;
using Bootstrapper.Core.Alpine;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Engine.Alpine;

/// <summary>Downloads and verifies Alpine repository indexes and packages over HTTP.</summary>
public sealed class AlpineRepositoryClient(HttpClient http)
{
    public int Attempts { get; init; } = 3;

    /// <summary>Repository directory URL: &lt;mirror&gt;/&lt;branch&gt;/&lt;repo&gt;/&lt;arch&gt; (what etc/apk/repositories omits the arch of).</summary>
    public static string RepositoryUrl(string baseUrl, string branch, string repository, string arch) =>
        $"{baseUrl.TrimEnd('/')}/{branch}/{repository}/{arch}";

    /// <summary>Fetches APKINDEX.tar.gz and verifies its signature against <paramref name="keys"/>.</summary>
    /// <param name="order">Repository priority (0 = first in the recipe); apk prefers the earlier on a tie.</param>
    public async Task<ApkRepositoryIndex> FetchAsync(string baseUrl, string branch, string repository, string arch,
        ApkKeyring keys, int order, CancellationToken ct)
    {
        var dir = RepositoryUrl(baseUrl, branch, repository, arch);
        var url = dir + "/APKINDEX.tar.gz";
        var bytes = await GetAsync(url, ct);
        return ApkIndex.Verify(bytes, keys, url, order, dir);
    }

    /// <summary>Downloads a package to <paramref name="destination"/> after checking size, signature and C:.</summary>
    public async Task DownloadPackageAsync(ApkPackageInfo package, ApkKeyring keys, string destination,
        CancellationToken ct)
    {
        var url = $"{package.RepositoryUrl}/{Uri.EscapeDataString(package.FileName)}";
        var bytes = await GetAsync(url, ct);
        ApkPackageFile.Verify(bytes, keys, package, url);
        var tmp = destination + ".part";
        await File.WriteAllBytesAsync(tmp, bytes, ct);
        File.Move(tmp, destination, overwrite: true);
    }

    /// <summary>GET over http(s), or a read for file:// mirrors (a local copy or bundle).</summary>
    public async Task<byte[]> GetAsync(string url, CancellationToken ct)
    {
        if (url.StartsWith("file://", StringComparison.Ordinal))
        {
            var path = new Uri(url).LocalPath;
            if (!File.Exists(path)) throw new FetchException($"{url}: no such file. Check the branch, repository and architecture.");
            return await File.ReadAllBytesAsync(path, ct);
        }
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                using var resp = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
                if (resp.StatusCode == HttpStatusCode.NotFound)
                    throw new FetchException($"{url}: not found (404). Check the branch, repository and architecture.");
                if ((int)resp.StatusCode >= 500 && attempt < Attempts) continue;
                if (!resp.IsSuccessStatusCode)
                    throw new FetchException($"{url}: HTTP {(int)resp.StatusCode} {resp.ReasonPhrase}.");
                var bytes = await resp.Content.ReadAsByteArrayAsync(ct);
                if (resp.Content.Headers.ContentLength is { } len && len != bytes.Length)
                {
                    if (attempt < Attempts) continue;
                    throw new FetchException($"{url}: got {bytes.Length} of {len} bytes (connection dropped).");
                }
                return bytes;
            }
            catch (HttpRequestException e) when (attempt < Attempts)
            {
                _ = e;
            }
            catch (HttpRequestException e)
            {
                throw new FetchException($"{url}: {e.Message}", e);
            }
            catch (IOException e) when (attempt >= Attempts)
            {
                throw new FetchException($"{url}: {e.Message}", e);
            }
            catch (IOException)
            {
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), ct);
        }
    }
}
