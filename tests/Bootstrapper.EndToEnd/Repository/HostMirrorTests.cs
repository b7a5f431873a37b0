using System.Diagnostics;
using Bootstrapper.Core.Debian.Control;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.OpenPgp;
using Bootstrapper.Engine.Families.Debian.Repository;
using Bootstrapper.Engine.Net.Http;
using Bootstrapper.Engine.Net.Mirrors;

namespace Bootstrapper.EndToEnd.Repository;

/// <summary>
/// Verifies the real bookworm archive from the host's own mirror (read from its apt sources, never hard-coded)
/// with the keyring Debian ships (package debian-archive-keyring).
/// </summary>
public sealed class HostMirrorTests(ITestOutputHelper output) : IDisposable
{
    private const string KeyringPath = "/usr/share/keyrings/debian-archive-keyring.gpg";
    private readonly string _cache = Directory.CreateTempSubdirectory("e2e-repo").FullName;

    public void Dispose() => Directory.Delete(_cache, recursive: true);

    private static string BookwormMirror()
    {
        var entry = HostAptSources.Read().FirstOrDefault(e => e.Type == "deb" && e.Suites.Contains("bookworm") && e.Components.Contains("main"));
        Assert.True(entry != null, "the host's apt sources list no 'deb ... bookworm main' entry; this test needs a Debian mirror");
        return entry.Uri;
    }

    [Fact]
    public async Task Real_bookworm_security_with_Valid_Until_and_updates_prefixed_components()
    {
        var entry = HostAptSources.Read().FirstOrDefault(e => e.Type == "deb" && e.Suites.Contains("bookworm-security"));
        Assert.True(entry != null, "the host's apt sources list no 'deb ... bookworm-security' entry; this test needs a Debian security mirror");
        using var downloader = new Downloader();
        var client = new DebianRepositoryClient(downloader, _cache);
        var index = await client.FetchAsync(new DebianRepositoryRequest(entry.Uri, "bookworm-security", ["main"], "amd64", DebianKeyring()));
        output.WriteLine($"{index.Info.Url}: Valid-Until {index.Release.ValidUntil:u}, components {string.Join(' ', index.Release.Components)}");
        Assert.NotNull(index.Release.ValidUntil);
        Assert.Contains("updates/main", index.Release.Components);
        Assert.NotEmpty(Deb822.Parse(index.Components[0].PackagesText, k => k == "Package"));

        // The same signed Release, judged a day after its Valid-Until, must be refused (offline: no refetch).
        var late = new DebianRepositoryClient(downloader, _cache, () => index.Release.ValidUntil!.Value.AddDays(1), offline: true);
        var e = await Assert.ThrowsAsync<VerificationException>(() =>
            late.FetchAsync(new DebianRepositoryRequest(entry.Uri, "bookworm-security", ["main"], "amd64", DebianKeyring())));
        Assert.Contains("expired: Valid-Until", e.Message);
    }

    private static OpenPgpKeyring DebianKeyring() => OpenPgpKeyring.Load([(KeyringPath, File.ReadAllBytes(KeyringPath))]);

    [Fact]
    public async Task Real_bookworm_InRelease_verifies_and_a_flipped_byte_is_BAD()
    {
        var url = BookwormMirror() + "/dists/bookworm/InRelease";
        using var downloader = new Downloader();
        var data = await downloader.GetBytesAsync(url);
        var keyring = DebianKeyring();

        var clock = Stopwatch.StartNew();
        var verified = ClearsignedVerifier.Verify(data, keyring, DateTimeOffset.UtcNow, url);
        output.WriteLine($"verified {data.Length} bytes in {clock.ElapsedMilliseconds} ms (first use), signed by {string.Join(", ", verified.Fingerprints)}");
        Assert.True(verified.Fingerprints.Count >= 2, "bookworm's InRelease carries several archive signatures");

        var release = ReleaseFile.Parse(verified.Text, url);
        release.CheckSuite("bookworm");
        release.CheckValidity(DateTimeOffset.UtcNow);
        Assert.NotNull(release.Find("main/binary-amd64/Packages.xz"));

        clock.Restart();
        ClearsignedVerifier.Verify(data, keyring, DateTimeOffset.UtcNow, url);
        output.WriteLine($"second verification: {clock.Elapsed.TotalMilliseconds:0.0} ms");

        var flipped = (byte[])data.Clone();
        flipped[data.Length / 3] ^= 0x01;
        var e = Assert.Throws<VerificationException>(() => ClearsignedVerifier.Verify(flipped, keyring, DateTimeOffset.UtcNow, url));
        Assert.Contains("BAD signature by key", e.Message);
    }

    [Fact]
    public async Task Real_bookworm_main_Packages_fetch_verify_and_cache()
    {
        var mirror = BookwormMirror();
        using var downloader = new Downloader();
        var client = new DebianRepositoryClient(downloader, _cache);
        var request = new DebianRepositoryRequest(mirror, "bookworm", ["main"], "amd64", DebianKeyring());
        Assert.Equal(MirrorProbe.Usable, await client.ProbeAsync(mirror, "bookworm", request.Keyring));

        var clock = Stopwatch.StartNew();
        var index = await client.FetchAsync(request);
        var first = clock.Elapsed;
        var packages = Deb822.Parse(index.Components[0].PackagesText, k => k == "Package");
        output.WriteLine($"online: {first.TotalSeconds:0.00} s, {index.Components[0].Entry.Path} {index.Components[0].Entry.Size} bytes via {index.Components[0].Url}, {packages.Count} packages");
        Assert.Contains(packages, p => p["Package"] == "base-files");
        Assert.True(packages.Count > 50_000);

        clock.Restart();
        var again = await new DebianRepositoryClient(downloader, _cache, offline: true).FetchAsync(request);
        output.WriteLine($"offline from cache: {clock.Elapsed.TotalSeconds:0.00} s");
        Assert.True(again.Components[0].FromCache);
        // The second read comes from the decoded copy the cache keeps under the Release's uncompressed entry.
        Assert.Equal("main/binary-amd64/Packages", again.Components[0].Entry.Path);
        Assert.Equal(index.Components[0].PackagesText, again.Components[0].PackagesText);
    }
}
