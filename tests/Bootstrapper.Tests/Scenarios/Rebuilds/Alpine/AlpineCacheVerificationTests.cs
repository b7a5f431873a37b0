using System.Runtime.Versioning;
using System.Security.Cryptography;
using Bootstrapper.Core.Alpine.Package;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Recipes;
using Bootstrapper.Engine;
using Bootstrapper.Engine.Pipeline;
using Bootstrapper.Tests.Fixtures;

namespace Bootstrapper.Tests.Scenarios.Rebuilds.Alpine;

/// <summary>
/// Issue 10, point 5: an Alpine package is checked (signature, datahash, C:) on every use from the cache, before a
/// download is kept, and before `fetch` or `fetch --bundle` says "verified". The attack: a .apk of the right size
/// whose data member is not the signed one, planted in the cache or served by the mirror. It never reaches an
/// image or a bundle, never stays in the cache, and the next build with a good mirror heals the cache.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class AlpineCacheVerificationTests : IDisposable
{
    private const string Hello = "v3.23/main/x86_64/hello-2.9-r0.apk";
    private readonly AlpineRebuildWorkspace _ws = new();

    static AlpineCacheVerificationTests() =>
        // A bad download is retried as a mismatch (a mirror may be mid-sync): keep the back-off short here.
        Environment.SetEnvironmentVariable("BOOTSTRAP_RETRY_DELAY_MS", "1");

    public AlpineCacheVerificationTests() => _ws.Publish("2.9-r0");

    public void Dispose() => _ws.Dispose();

    private byte[] Good => File.ReadAllBytes(Path.Combine(_ws.MainDir, "hello-2.9-r0.apk"));
    private string Bundle => Path.Combine(_ws.Root, "bundle");

    /// <summary>
    /// hello's .apk with its data member changed and nothing else: the same size, still three valid gzip members
    /// (only the data member's gzip header time differs), so a size check or an inflate cannot tell it.
    /// </summary>
    private (byte[] Bytes, string Message) Tampered(string label)
    {
        var bytes = Good;
        var data = GzipMembers.Split(bytes, "hello")[2];
        string Sha(byte[] b) => Convert.ToHexStringLower(SHA256.HashData(b.AsSpan(data.Offset, data.Length)));
        var signed = Sha(bytes);
        bytes[data.Offset + 4] ^= 0x5a; // MTIME, first byte
        return (bytes, $"hello-2.9-r0 ({label}): data member SHA-256 {Sha(bytes)} differs from .PKGINFO datahash {signed}; " +
                       "the data was modified or corrupted");
    }

    /// <summary>The attack on a warm cache: the tampered hello written over the cached one.</summary>
    private (string Cached, string Message) PlantTamperedHello()
    {
        var cached = CachedHello();
        var (bad, message) = Tampered(cached);
        File.WriteAllBytes(cached, bad);
        return (cached, message);
    }

    /// <summary>hello's file in the cache (named by the control member's SHA-1, as apk's cache).</summary>
    private string CachedHello(string cache = "cache") =>
        Directory.EnumerateFiles(Path.Combine(_ws.Cache(cache), "packages"), "*.apk", SearchOption.AllDirectories)
            .Single(f => File.ReadAllBytes(f).AsSpan().SequenceEqual(Good));

    private static Task<(int Code, string Stdout, string Stderr)> Fetch(string mirror, string cache, params string[] extra) =>
        RebuildWorkspace.RunAsync(["fetch", .. new[] { "--mirror", mirror, "--cache", cache }, .. extra]);

    [Fact]
    public async Task A_cached_package_that_fails_verification_is_deleted_fetched_again_and_the_image_is_the_good_one()
    {
        using var server = _ws.Serve();
        var first = await _ws.BuildAsync(server.BaseUrl, _ws.Cache(), _ws.Output("good.tar"));
        Assert.True(first.Code == 0, first.Stderr);
        var (cached, message) = PlantTamperedHello();

        var (code, _, stderr) = await _ws.BuildAsync(server.BaseUrl, _ws.Cache(), _ws.Output("again.tar"));
        Assert.True(code == 0, stderr);
        Assert.Equal(File.ReadAllBytes(_ws.Output("good.tar")), File.ReadAllBytes(_ws.Output("again.tar")));
        Assert.Equal(Good, File.ReadAllBytes(cached)); // healed
        Assert.Equal(2, server.RequestCount(Hello));
    }

    [Fact]
    public async Task Offline_a_cached_package_that_fails_verification_is_named_with_its_cache_path_and_deleted()
    {
        using var server = _ws.Serve();
        Assert.Equal(0, (await Fetch(server.BaseUrl, _ws.Cache(), _ws.RecipePath)).Code);
        var (cached, message) = PlantTamperedHello();

        var (code, _, stderr) = await _ws.BuildAsync(server.BaseUrl, _ws.Cache(), _ws.Output("x.tar"), "--offline");
        Assert.Equal(ExitCodes.VerificationFailed, code);
        Assert.Contains($"--offline: 1 package(s) in the cache ({Path.Combine(_ws.Cache(), "packages")}) failed verification " +
                        $"and were deleted:\n  {message}\n" +
                        "Run `bootstrap fetch` for this recipe while online, or point --mirror at a bundle that has them.", stderr);
        Assert.False(File.Exists(cached));
        Assert.False(File.Exists(_ws.Output("x.tar")));
        Assert.Equal(1, server.RequestCount(Hello)); // offline: no connection

        var healed = await _ws.BuildAsync(server.BaseUrl, _ws.Cache(), _ws.Output("healed.tar"));
        Assert.True(healed.Code == 0, healed.Stderr);
        Assert.Equal(Good, File.ReadAllBytes(cached));
    }

    [Fact]
    public async Task A_package_the_mirror_serves_that_fails_verification_never_enters_the_cache()
    {
        using var server = _ws.Serve();
        var (bad, message) = Tampered("as downloaded");
        server.Serve(Hello, bad);

        var (code, _, stderr) = await _ws.BuildAsync(server.BaseUrl, _ws.Cache(), _ws.Output("x.tar"));
        Assert.Equal(ExitCodes.VerificationFailed, code);
        Assert.Contains($"{server.BaseUrl}/{Hello}: {message} (after 5 attempts); the mirror serves a file that does not " +
                        "match the signed index", stderr);
        Assert.False(File.Exists(_ws.Output("x.tar")));
        var kept = Directory.EnumerateFiles(Path.Combine(_ws.Cache(), "packages"), "*", SearchOption.AllDirectories).ToList();
        Assert.DoesNotContain(kept, f => File.ReadAllBytes(f).AsSpan().SequenceEqual(bad));
        Assert.DoesNotContain(kept, f => f.EndsWith(".part", StringComparison.Ordinal));

        server.Serve(Hello, Good); // the mirror is repaired
        var healed = await _ws.BuildAsync(server.BaseUrl, _ws.Cache(), _ws.Output("healed.tar"));
        Assert.True(healed.Code == 0, healed.Stderr);
        Assert.Equal(Good, File.ReadAllBytes(CachedHello()));
    }

    [Fact]
    public async Task Fetch_and_fetch_bundle_refuse_a_package_that_fails_verification_and_never_say_verified()
    {
        using var server = _ws.Serve();
        var (bad, message) = Tampered("as downloaded");
        server.Serve(Hello, bad);

        foreach (var extra in new[] { Array.Empty<string>(), ["--bundle", Bundle] })
        {
            var (code, stdout, stderr) = await Fetch(server.BaseUrl, _ws.Cache(), [_ws.RecipePath, .. extra]);
            Assert.Equal(ExitCodes.VerificationFailed, code);
            Assert.Contains($"{server.BaseUrl}/{Hello}: {message} (after 5 attempts)", stderr);
            Assert.DoesNotContain("verified", stdout);
            Assert.False(File.Exists(Path.Combine(Bundle, Hello)));
        }
    }

    [Fact]
    public async Task Fetch_bundle_replaces_a_cached_package_that_fails_verification_with_the_signed_one()
    {
        using var server = _ws.Serve();
        Assert.Equal(0, (await Fetch(server.BaseUrl, _ws.Cache(), _ws.RecipePath)).Code);
        var (cached, message) = PlantTamperedHello();

        // Through the engine, to see the warning (the CLI prints warnings to the process's stderr).
        var warnings = new RecordingReporter();
        var options = new BuildOptions { MirrorOverride = server.BaseUrl, CacheDirectory = _ws.Cache(), Environment = new Dictionary<string, string>() };
        var result = await ImageBuilder.FetchAsync(RecipeLoader.Load(_ws.RecipePath), options, Bundle, warnings, default);
        Assert.Equal([$"a cached package failed verification: {message}; deleted it, fetching it again"],
            warnings.Lines);
        Assert.Equal(4, result.Files.Count);
        Assert.Equal(Good, File.ReadAllBytes(Path.Combine(Bundle, Hello)));
        Assert.Equal(Good, File.ReadAllBytes(cached));
    }
}
