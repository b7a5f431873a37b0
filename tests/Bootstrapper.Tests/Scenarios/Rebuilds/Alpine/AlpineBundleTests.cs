using System.Runtime.Versioning;
using System.Text.Json;
using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Net.Bundles;
using Bootstrapper.Tests.Core.Images.Sbom;

namespace Bootstrapper.Tests.Scenarios.Rebuilds.Alpine;

/// <summary>
/// `bootstrap fetch --bundle` for an Alpine recipe writes a directory that is itself an Alpine mirror; an offline
/// build from it with an empty cache gives the online build's image byte for byte, naming the original mirror in
/// etc/apk/repositories. Also the licences (the index's L:) in the manifest and the SPDX SBOM.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class AlpineBundleTests : IDisposable
{
    private readonly AlpineRebuildWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    private string Bundle => Path.Combine(_ws.Root, "bundle");
    private string BundleUrl => new Uri(Bundle + "/").AbsoluteUri;

    private async Task<string> FetchBundleAsync(string mirror)
    {
        var (code, stdout, stderr) = await RebuildWorkspace.RunAsync("fetch", _ws.RecipePath, "--mirror", mirror,
            "--cache", _ws.Cache(), "--bundle", Bundle);
        Assert.True(code == 0, stderr);
        return stdout;
    }

    [Fact]
    public async Task The_bundle_is_an_alpine_mirror_holding_the_original_signed_index_and_the_packages()
    {
        _ws.Publish("2.9-r0");
        using var server = _ws.Serve();
        var stdout = await FetchBundleAsync(server.BaseUrl);
        Assert.Contains("--offline --mirror " + BundleUrl.TrimEnd('/'), stdout);

        var dir = Path.Combine(Bundle, "v3.23/main/x86_64");
        Assert.Equal(File.ReadAllBytes(Path.Combine(_ws.MainDir, "APKINDEX.tar.gz")), File.ReadAllBytes(Path.Combine(dir, "APKINDEX.tar.gz")));
        foreach (var name in new[] { "musl-1.2.5-r10.apk", "busybox-1.37.0-r19.apk", "hello-2.9-r0.apk", "alpine-base-3.23.0-r0.apk" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(_ws.MainDir, name)), File.ReadAllBytes(Path.Combine(dir, name)));
        Assert.Equal(["APKINDEX.tar.gz", "alpine-base-3.23.0-r0.apk", "busybox-1.37.0-r19.apk", "hello-2.9-r0.apk", "musl-1.2.5-r10.apk"],
            Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(["bootstrap-bundle.json", "v3.23"],
            Directory.GetFileSystemEntries(Bundle).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var metadata = BundleMetadata.TryRead(Bundle)!;
        Assert.Equal(server.BaseUrl, metadata.OriginalMirrors["v3.23"]);
    }

    [Fact]
    public async Task An_offline_build_from_the_bundle_with_an_empty_cache_is_byte_identical_and_names_the_original_mirror()
    {
        _ws.Publish("2.9-r0");
        string original;
        using (var server = _ws.Serve())
        {
            original = server.BaseUrl;
            var online = await _ws.BuildAsync(server.BaseUrl, _ws.Cache(), _ws.Output("online.tar"));
            Assert.True(online.Code == 0, online.Stderr);
            await FetchBundleAsync(server.BaseUrl);
        } // the server is gone: nothing but the bundle remains

        var offline = await _ws.BuildAsync(BundleUrl, _ws.Cache("empty"), _ws.Output("offline.tar"), "--offline");
        Assert.True(offline.Code == 0, offline.Stderr);
        Assert.DoesNotContain("warning", offline.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(File.ReadAllBytes(_ws.Output("online.tar")), File.ReadAllBytes(_ws.Output("offline.tar")));
        Assert.Equal($"{original}/v3.23/main\n",
            AlpineRebuildWorkspace.ReadFromImage(_ws.Output("offline.tar"), "etc/apk/repositories"));
    }

    [Fact]
    public async Task Offline_from_a_bundle_that_lacks_a_package_lists_it_and_installs_nothing()
    {
        _ws.Publish("2.9-r0");
        using (var server = _ws.Serve()) await FetchBundleAsync(server.BaseUrl);
        File.Delete(Path.Combine(Bundle, "v3.23/main/x86_64/hello-2.9-r0.apk"));
        File.Delete(Path.Combine(Bundle, "v3.23/main/x86_64/musl-1.2.5-r10.apk"));

        var (code, _, stderr) = await _ws.BuildAsync(BundleUrl, _ws.Cache("empty"), _ws.Output("x.tar"), "--offline");
        Assert.Equal(ExitCodes.FetchFailed, code);
        Assert.Contains("hello 2.9-r0 (x86_64)", stderr);
        Assert.Contains("musl 1.2.5-r10 (x86_64)", stderr);
        Assert.False(File.Exists(_ws.Output("x.tar")));
    }

    [Fact]
    public async Task Offline_with_an_http_mirror_and_packages_missing_from_the_cache_lists_them_and_opens_no_connection()
    {
        _ws.Publish("2.9-r0");
        using var server = _ws.Serve();
        Assert.Equal(0, (await RebuildWorkspace.RunAsync("fetch", _ws.RecipePath, "--mirror", server.BaseUrl, "--cache", _ws.Cache())).Code);
        Directory.Delete(Path.Combine(_ws.Cache(), "packages"), recursive: true);
        var before = server.RequestCount("v3.23/main/x86_64/APKINDEX.tar.gz");

        var (code, _, stderr) = await RebuildWorkspace.RunAsync("fetch", _ws.RecipePath, "--mirror", server.BaseUrl,
            "--cache", _ws.Cache(), "--offline");
        Assert.Equal(ExitCodes.FetchFailed, code);
        Assert.Contains("--offline: 4 package(s) are neither in the cache", stderr);
        Assert.Contains("hello 2.9-r0 (x86_64)", stderr);
        Assert.Equal(before, server.RequestCount("v3.23/main/x86_64/APKINDEX.tar.gz"));
    }

    [Fact]
    public async Task A_tampered_index_in_the_bundle_fails_verification()
    {
        _ws.Publish("2.9-r0");
        using (var server = _ws.Serve()) await FetchBundleAsync(server.BaseUrl);
        var index = Path.Combine(Bundle, "v3.23/main/x86_64/APKINDEX.tar.gz");
        var bytes = File.ReadAllBytes(index);
        bytes[^30] ^= 1;
        File.WriteAllBytes(index, bytes);

        var (code, _, stderr) = await _ws.BuildAsync(BundleUrl, _ws.Cache("empty"), _ws.Output("x.tar"), "--offline");
        Assert.Equal(ExitCodes.VerificationFailed, code);
        Assert.Contains("APKINDEX.tar.gz", stderr);
    }

    [Fact]
    public async Task Licences_from_the_index_go_into_the_manifest_and_a_valid_sbom()
    {
        // apk's L: is SPDX-ish: lower-case operators are normalised, anything else becomes a LicenseRef.
        _ws.Publish("2.9-r0", helloLicense: "GPL-2.0-or-later or custom:hello");
        using var server = _ws.Serve();
        var (code, _, stderr) = await _ws.BuildAsync(server.BaseUrl, _ws.Cache(), _ws.Output("img.tar"));
        Assert.True(code == 0, stderr);

        var manifest = JsonDocument.Parse(File.ReadAllText(_ws.Output("img.tar") + ".manifest.json")).RootElement;
        var licenses = manifest.GetProperty("packages").EnumerateArray()
            .ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("license").GetString());
        Assert.Equal("GPL-2.0-only", licenses["busybox"]);
        Assert.Equal("MIT", licenses["musl"]);
        Assert.Equal("LicenseRef-GPL-2.0-or-later-or-custom-hello", licenses["hello"]);

        var sbomText = File.ReadAllText(_ws.Output("img.tar") + ".spdx.json");
        Assert.Empty(SpdxSchema.Violations(sbomText));
        Assert.Empty(SpdxSchema.SpecProblems(sbomText));
        var sbom = JsonDocument.Parse(sbomText).RootElement;
        var busybox = sbom.GetProperty("packages").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "busybox");
        Assert.Equal("GPL-2.0-only", busybox.GetProperty("licenseDeclared").GetString());
        Assert.Contains(busybox.GetProperty("externalRefs").EnumerateArray(),
            r => r.GetProperty("referenceLocator").GetString() == "pkg:apk/alpine/busybox@1.37.0-r19?arch=x86_64");
        // The index has no SHA-256 of the file; the manifest and the SBOM get it from the verified file itself.
        var apk = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            File.ReadAllBytes(Path.Combine(_ws.MainDir, "busybox-1.37.0-r19.apk"))));
        Assert.Equal(apk, manifest.GetProperty("packages").EnumerateArray()
            .Single(p => p.GetProperty("name").GetString() == "busybox").GetProperty("sha256").GetString());
        Assert.Contains(busybox.GetProperty("checksums").EnumerateArray(),
            c => c.GetProperty("algorithm").GetString() == "SHA256" && c.GetProperty("checksumValue").GetString() == apk);
    }

    [Fact]
    public async Task A_locked_bundle_carries_a_package_the_index_dropped_and_builds_locked_offline()
    {
        _ws.Publish("2.9-r0");
        using (var v1 = _ws.Serve())
        {
            Assert.Equal(0, (await RebuildWorkspace.RunAsync("lock", _ws.RecipePath, "--mirror", v1.BaseUrl, "--cache", _ws.Cache())).Code);
            Assert.Equal(0, (await RebuildWorkspace.RunAsync("fetch", _ws.RecipePath, "--mirror", v1.BaseUrl, "--cache", _ws.Cache())).Code);
        }
        _ws.Publish("2.10-r0");
        string original;
        using (var v2 = _ws.Serve())
        {
            original = v2.BaseUrl;
            var (code, _, stderr) = await RebuildWorkspace.RunAsync("fetch", _ws.RecipePath, "--locked", "--mirror", v2.BaseUrl,
                "--cache", _ws.Cache(), "--bundle", Bundle);
            Assert.True(code == 0, stderr);
        }
        Assert.True(File.Exists(Path.Combine(Bundle, "v3.23/main/x86_64/hello-2.9-r0.apk")));

        var offline = await _ws.BuildAsync(BundleUrl, _ws.Cache("empty"), _ws.Output("offline.tar"), "--offline", "--locked");
        Assert.True(offline.Code == 0, offline.Stderr);
        var installed = AlpineRebuildWorkspace.ReadFromImage(_ws.Output("offline.tar"), "lib/apk/db/installed");
        Assert.Contains("\nP:hello\nV:2.9-r0\n", installed);
        Assert.Equal($"{original}/v3.23/main\n",
            AlpineRebuildWorkspace.ReadFromImage(_ws.Output("offline.tar"), "etc/apk/repositories"));
    }
}
