using System.Text;
using Bootstrapper.Core.Debian.Control;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.OpenPgp;
using Bootstrapper.Core.Planning;
using Bootstrapper.Engine.Net.Http;
using Bootstrapper.Engine.Net.Mirrors;

namespace Bootstrapper.Engine.Families.Debian.Repository;

/// <summary>
/// Fetches and verifies a Debian repository's indices, following the chain of trust apt and debootstrap use:
/// dists/SUITE/InRelease (or Release + Release.gpg) is verified with the keyring, its Suite/Codename and
/// Valid-Until are checked, and every Packages file must match the size and SHA-256 the signed Release lists.
/// </summary>
internal sealed class DebianRepositoryClient
{
    private readonly Downloader _downloader;
    private readonly Func<DateTimeOffset> _clock;

    /// <summary>
    /// InRelease files a successful probe (<c>ProbeAsync</c>) downloaded and verified, by URL: the fetch that follows
    /// a mirror probe reuses them instead of downloading and verifying the same file again (a round trip and ~10 ms
    /// of signature checking per suite). Only files that passed every probe check are kept.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (OpenPgpKeyring Keyring, byte[] Data, VerifiedText Verified)> _probed =
        new(StringComparer.Ordinal);

    /// <param name="downloader">Used for every fetch.</param>
    /// <param name="cacheDirectory">Root of the build cache; indices go to CACHE/debian/.</param>
    /// <param name="clock">Current time for Valid-Until and key expiry; the system clock when null.</param>
    /// <param name="offline">No network: http(s) repositories are served from the cache only (the last verified InRelease,
    /// verified again with Valid-Until enforced, and cached Packages); file:// repositories are still read.</param>
    public DebianRepositoryClient(Downloader downloader, string cacheDirectory, Func<DateTimeOffset>? clock = null, bool offline = false)
    {
        _downloader = downloader;
        _clock = clock ?? (() => DateTimeOffset.UtcNow);
        Cache = new RepositoryIndexCache(cacheDirectory);
        Offline = offline;
    }

    /// <summary>
    /// Mirrors whose probe failed only because the Release is past its Valid-Until, by suite: when no mirror passes,
    /// the build takes one of these, and its fetch fails with the message that names the options to accept it.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _expiredProbes = new(StringComparer.Ordinal);

    /// <summary>A mirror whose probe for <paramref name="suite"/> failed only by expiry; null when none did.</summary>
    public string? ExpiredMirror(string suite) => _expiredProbes.GetValueOrDefault(suite);

    public RepositoryIndexCache Cache { get; }
    public bool Offline { get; }
    /// <summary>Where warnings go (an expired Release accepted on purpose).</summary>
    public Action<string> Warn { get; init; } = _ => { };

    /// <summary>
    /// Fetches several repositories (suites) at once; afterwards (online) removes cached Packages files that no
    /// cached Release lists any more and that are older than a day.
    /// </summary>
    public async Task<IReadOnlyList<DebianRepositoryIndex>> FetchAllAsync(
        IEnumerable<DebianRepositoryRequest> requests, CancellationToken cancellationToken = default)
    {
        var result = await Task.WhenAll(requests.Select(r => FetchAsync(r, cancellationToken))).ConfigureAwait(false);
        return PruneAfter(result);
    }

    /// <summary>After every suite was fetched (online): removes cached Packages files no cached Release lists any more
    /// that are older than a day.</summary>
    public IReadOnlyList<DebianRepositoryIndex> PruneAfter(IReadOnlyList<DebianRepositoryIndex> fetched)
    {
        if (!Offline) Cache.PruneUnreferenced(TimeSpan.FromDays(1), _clock());
        return fetched;
    }

    /// <exception cref="VerificationException">Signature, suite, Valid-Until, size or SHA-256 check failed.</exception>
    /// <exception cref="FetchException">A file is missing or unreachable (or not cached, offline).</exception>
    /// <exception cref="RecipeException">The suite does not offer a requested component or the architecture.</exception>
    public async Task<DebianRepositoryIndex> FetchAsync(DebianRepositoryRequest request, CancellationToken cancellationToken = default)
    {
        var (release, info) = await FetchReleaseAsync(request, cancellationToken).ConfigureAwait(false);
        release.CheckOffers(request.Components, request.Architecture);
        var components = await Task.WhenAll(request.Components.Select(c =>
            FetchComponentAsync(request, release, c, cancellationToken))).ConfigureAwait(false);
        return new DebianRepositoryIndex(request, info, release, components, CacheOnly(request));
    }

    /// <summary>
    /// Usable when ROOT/dists/SUITE/InRelease exists, verifies with <paramref name="keyring"/> and names that suite:
    /// used to pick a usable mirror among the host's apt sources. One attempt, no retries; never throws for a bad
    /// mirror but says what went wrong. Offline, an http(s) mirror counts when its cached InRelease verifies.
    /// </summary>
    public Task<MirrorProbe> ProbeAsync(string baseUrl, string suite, OpenPgpKeyring keyring, CancellationToken cancellationToken = default) =>
        ProbeAsync(baseUrl, suite, Task.FromResult(keyring), null, cancellationToken);

    /// <summary>
    /// Same, with a keyring that may still be loading: the request goes out at once and the keyring is awaited
    /// only to verify the answer. An expired Release counts when <paramref name="expiryAcceptedBy"/> is given (see
    /// <see cref="DebianRepositoryRequest.ExpiryAcceptedBy"/>); the fetch that follows says so.
    /// </summary>
    public async Task<MirrorProbe> ProbeAsync(string baseUrl, string suite, Task<OpenPgpKeyring> keyringLoad,
        string? expiryAcceptedBy, CancellationToken cancellationToken = default)
    {
        var root = baseUrl.TrimEnd('/');
        var url = $"{root}/dists/{suite}/InRelease";
        try
        {
            using var once = _downloader.WithOptions(_downloader.Options with { MaxAttempts = 1 });
            var cacheOnly = CacheOnly(root);
            var data = cacheOnly
                ? ReadCached(Cache.ReleaseDirectory(root, suite), "InRelease")
                : await once.TryGetBytesAsync(url, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (data == null)
                return new MirrorProbe(MirrorFault.Missing, cacheOnly ? "offline, and no verified InRelease of it is cached"
                    : root.StartsWith("file:", StringComparison.Ordinal) ? $"no file dists/{suite}/InRelease"
                    : $"HTTP 404 for dists/{suite}/InRelease");
            var keyring = await keyringLoad.ConfigureAwait(false);
            var verified = ClearsignedVerifier.Verify(data, keyring, _clock(), url);
            var release = ReleaseFile.Parse(verified.Text, url);
            release.CheckSuite(suite);
            // Remembered, so that when no mirror serves the suite the fetch from this one says how to accept it.
            if (expiryAcceptedBy is null && release.ValidUntil <= _clock()) _expiredProbes.TryAdd(suite, root);
            release.CheckValidity(_clock(), expiryAcceptedBy);
            _probed[url] = (keyring, data, verified);
            return MirrorProbe.Usable;
        }
        catch (FetchException e)
        {
            // The downloader's own words for the attempt ("request failed: Connection refused (127.0.0.1:9)").
            return new MirrorProbe(MirrorFault.Unreachable, (e.InnerException ?? e).Message);
        }
        catch (BootstrapException e)
        {
            // Verification messages start with the URL, which the list already shows.
            var reason = e.Message.StartsWith(url + ": ", StringComparison.Ordinal) ? e.Message[(url.Length + 2)..] : e.Message;
            return new MirrorProbe(MirrorFault.Unverified, reason);
        }
    }

    private async Task<(ReleaseFile, IndexInfo)> FetchReleaseAsync(DebianRepositoryRequest request, CancellationToken ct)
    {
        var dir = Cache.ReleaseDirectory(request.Root, request.Suite);
        var inReleaseUrl = request.DistsUrl + "InRelease";
        var cacheOnly = CacheOnly(request);
        var now = _clock();
        string text, signedUrl;
        VerifiedSignatures signatures;

        byte[]? inRelease;
        VerifiedText? verified = null;
        // A probe's result only stands in for a fetch verified with the very same keyring.
        if (_probed.TryRemove(inReleaseUrl, out var probed) && ReferenceEquals(probed.Keyring, request.Keyring))
            (_, inRelease, verified) = probed;
        else
            inRelease = cacheOnly ? ReadCached(dir, "InRelease") : await _downloader.TryGetBytesAsync(inReleaseUrl, cancellationToken: ct).ConfigureAwait(false);
        if (inRelease != null)
        {
            signedUrl = inReleaseUrl;
            verified ??= ClearsignedVerifier.Verify(inRelease, request.Keyring, now, inReleaseUrl);
            (text, signatures) = (verified.Text, verified.Signatures);
        }
        else
        {
            // Older or third-party repositories have no InRelease: Release plus a detached Release.gpg.
            signedUrl = request.DistsUrl + "Release";
            var release = cacheOnly ? ReadCached(dir, "Release") : await _downloader.TryGetBytesAsync(signedUrl, cancellationToken: ct).ConfigureAwait(false);
            var signature = cacheOnly ? ReadCached(dir, "Release.gpg") : await _downloader.TryGetBytesAsync(signedUrl + ".gpg", cancellationToken: ct).ConfigureAwait(false);
            if (release == null || signature == null)
                throw cacheOnly
                    ? new FetchException($"{inReleaseUrl}: offline, and no verified copy is cached; run once with network access to fill the cache ({Cache.Root})")
                    : new FetchException($"{request.DistsUrl}: has neither InRelease nor Release + Release.gpg (HTTP 404); " +
                                         "check the mirror URL and the suite name");
            signatures = DetachedVerifier.Verify(release, signature, request.Keyring, now, signedUrl + ".gpg");
            text = DecodeRelease(release, signedUrl);
            inRelease = null;
            if (!cacheOnly)
            {
                RepositoryIndexCache.WriteAtomically(Path.Combine(dir, "Release"), release);
                RepositoryIndexCache.WriteAtomically(Path.Combine(dir, "Release.gpg"), signature);
                RepositoryIndexCache.TryDelete(Path.Combine(dir, "InRelease"));
            }
        }

        var parsed = ReleaseFile.Parse(text, signedUrl);
        parsed.CheckSuite(request.Suite);
        if (parsed.CheckValidity(now, request.ExpiryAcceptedBy) is { } warning) Warn(warning);
        // Cache only what passed every check, so offline mode starts from a Release that was good when stored.
        if (!cacheOnly && inRelease != null)
            RepositoryIndexCache.WriteAtomically(Path.Combine(dir, "InRelease"), inRelease);

        var info = new IndexInfo
        {
            Url = signedUrl,
            Suite = request.Suite,
            Date = parsed.DateText,
            Released = parsed.Date,
            SignedBy = signatures.Fingerprints,
        };
        return (parsed, info);
    }

    private async Task<DebianComponentIndex> FetchComponentAsync(
        DebianRepositoryRequest request, ReleaseFile release, string component, CancellationToken ct)
    {
        var directory = $"{component}/binary-{request.Architecture}";
        var cacheOnly = CacheOnly(request);
        var listed = RepositoryIndexDecoder.Candidates
            .Select(c => (c.Extension, Entry: release.Find($"{directory}/{c.FileName}")))
            .Where(c => c.Entry != null)
            .ToList();
        if (listed.Count == 0)
            throw new FetchException(
                $"{release.Source}: lists no Packages index for {directory} (no SHA256 entry for Packages.xz, .gz or plain); " +
                "the suite does not carry this component/architecture, check the recipe");

        // Decompressing bookworm main's Packages.xz costs ~0.7-2 s on every run; the uncompressed file the Release
        // also lists is kept in the cache after the first decode (checked against that entry), so a warm plan
        // reads ~50 MB of text instead.
        var plain = listed.FirstOrDefault(l => l.Extension.Length == 0).Entry;
        if (plain != null && Cache.TryReadBlob(plain.Sha256, "", plain.Size) is { } decoded)
            return new DebianComponentIndex(component, request.Architecture, Cache.BlobPath(plain.Sha256, ""), plain, decoded, FromCache: true)
            {
                ContentKey = plain.Sha256,
            };

        foreach (var (extension, entry) in listed)
        {
            var cached = Cache.TryGetBlob(entry!.Sha256, extension, entry.Size);
            if (cached != null)
                return Decode(cached, extension, entry, component, request, cached, fromCache: true, plain);
            if (cacheOnly) continue;

            // By-hash URLs never change content, so a mirror updating mid-build cannot swap the file under us.
            var plainUrl = request.DistsUrl + entry.Path;
            var urls = release.AcquireByHash
                ? new[] { $"{request.DistsUrl}{directory}/by-hash/SHA256/{entry.Sha256}", plainUrl }
                : [plainUrl];
            foreach (var url in urls)
            {
                var target = Cache.BlobPath(entry.Sha256, extension);
                var result = await _downloader.TryDownloadAsync(url, target, entry.Size, entry.Sha256, cancellationToken: ct).ConfigureAwait(false);
                if (result != null)
                    return Decode(result.Path, extension, entry, component, request, url, fromCache: false, plain);
            }
        }
        throw cacheOnly
            ? new FetchException($"{request.DistsUrl}{directory}/Packages: offline, and the cache holds no copy matching the " +
                                 "cached Release; run once with network access")
            : new FetchException($"{request.DistsUrl}{directory}/: the Release lists {string.Join(", ", listed.Select(l => l.Entry!.Path))} " +
                                 "but the mirror has none of them (HTTP 404); the mirror is incomplete or mid-sync, try again later or use another mirror");
    }

    /// <summary>
    /// Decodes a verified index; a compressed one is also stored as the Release's uncompressed entry, when the
    /// bytes match that entry exactly, so that the next plan skips decompression.
    /// </summary>
    private DebianComponentIndex Decode(string path, string extension, ReleaseEntry entry, string component,
        DebianRepositoryRequest request, string url, bool fromCache, ReleaseEntry? plain)
    {
        var bytes = RepositoryIndexDecoder.DecodeBytes(path, extension, url, plain?.Size ?? 0, out var sha256);
        bool isPlain = plain != null && (entry == plain || (bytes.Count == plain.Size && sha256 == plain.Sha256));
        if (isPlain && entry != plain)
            RepositoryIndexCache.WriteAtomically(Cache.BlobPath(plain!.Sha256, ""), bytes);
        var index = new DebianComponentIndex(component, request.Architecture, url, entry, bytes, fromCache);
        return isPlain ? index with { ContentKey = plain!.Sha256 } : index;
    }

    /// <summary>Offline means no network: a file:// repository (a bundle, a local mirror) is still read directly.</summary>
    private bool CacheOnly(DebianRepositoryRequest request) => CacheOnly(request.Root);

    private bool CacheOnly(string root) => Offline && !root.StartsWith("file:", StringComparison.OrdinalIgnoreCase);

    private static byte[]? ReadCached(string dir, string name)
    {
        var path = Path.Combine(dir, name);
        return File.Exists(path) ? File.ReadAllBytes(path) : null;
    }

    private static string DecodeRelease(byte[] data, string url)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(data);
        }
        catch (DecoderFallbackException e)
        {
            throw new VerificationException($"{url}: is not valid UTF-8 text; the repository is broken", e);
        }
    }
}
