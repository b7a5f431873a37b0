using System.Runtime.Versioning;
using System.Text.Json;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Locking;

namespace Bootstrapper.Tests.Scenarios.Rebuilds.Alpine;

/// <summary>
/// `bootstrap lock`, `--locked` and `diff` for an Alpine recipe, against the signed fixture repository on 127.0.0.1.
/// The builds are real (scripts chrooted, image packed), so they need root.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class AlpineLockedBuildTests : IDisposable
{
    private readonly AlpineRebuildWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    private async Task<LockFile> LockAsync(string mirror)
    {
        var (code, stdout, stderr) = await RebuildWorkspace.RunAsync("lock", _ws.RecipePath, "--mirror", mirror,
            "--cache", _ws.Cache());
        Assert.True(code == 0, stderr);
        Assert.Contains("apkfix.lock.json: 4 packages", stdout);
        return LockFile.FromJson(File.ReadAllText(_ws.LockPath), _ws.LockPath);
    }

    private static JsonElement ManifestPackage(string image, string name) =>
        JsonDocument.Parse(File.ReadAllText(image + ".manifest.json")).RootElement.GetProperty("packages")
            .EnumerateArray().Single(p => p.GetProperty("name").GetString() == name);

    [Fact]
    public async Task Lock_records_the_q1_checksum_size_and_repository_of_every_package_and_the_index_signer()
    {
        _ws.Publish("2.9-r0");
        using var server = _ws.Serve();
        var lockFile = await LockAsync(server.BaseUrl);

        Assert.Equal("alpine", lockFile.Family);
        Assert.Equal(["alpine-base", "busybox", "hello", "musl"], lockFile.Packages.Select(p => p.Name));
        foreach (var p in lockFile.Packages)
        {
            var (info, path) = _ws.Repository.Packages.Single(x => x.Info.Name == p.Name);
            Assert.Equal(info.Checksum, p.Q1);
            Assert.Equal(new FileInfo(path).Length, p.Size);
            Assert.Equal($"{info.Name}-{info.Version}.apk", p.Filename);
            Assert.Equal($"{server.BaseUrl}/v3.23/main/x86_64", p.Repository);
            Assert.Null(p.Sha256); // the index has none; Q1 + the package's signature and datahash pin the file
        }
        var index = Assert.Single(lockFile.Indices);
        Assert.Equal($"{server.BaseUrl}/v3.23/main/x86_64/APKINDEX.tar.gz", index.Url);
        Assert.Equal([_ws.Repository.Signer.Name], index.SignedBy);
    }

    [Fact]
    public async Task A_locked_build_still_succeeds_after_the_repository_publishes_a_newer_version()
    {
        _ws.Publish("2.9-r0");
        string lockedImage = _ws.Output("v1.tar");
        using (var v1 = _ws.Serve())
        {
            await LockAsync(v1.BaseUrl);
            var first = await _ws.BuildAsync(v1.BaseUrl, _ws.Cache(), lockedImage);
            Assert.True(first.Code == 0, first.Stderr);
        }
        var oldStanza = Stanza(AlpineRebuildWorkspace.ReadFromImage(lockedImage, "lib/apk/db/installed"), "hello");

        // The branch moved on: its index lists hello 2.10-r0 only and 2.9-r0's file is gone from the mirror.
        _ws.Publish("2.10-r0");
        using var v2 = _ws.Serve();
        var unlocked = await _ws.BuildAsync(v2.BaseUrl, _ws.Cache(), _ws.Output("unlocked.tar"));
        Assert.True(unlocked.Code == 0, unlocked.Stderr);
        Assert.Equal("2.10-r0", ManifestPackage(_ws.Output("unlocked.tar"), "hello").GetProperty("version").GetString());

        var locked = await _ws.BuildAsync(v2.BaseUrl, _ws.Cache(), _ws.Output("locked.tar"), "--locked");
        Assert.True(locked.Code == 0, locked.Stderr);
        Assert.Equal(0, v2.RequestCount("v3.23/main/x86_64/hello-2.9-r0.apk")); // from the cache, verified again
        Assert.Equal(2, v2.RequestCount("v3.23/main/x86_64/APKINDEX.tar.gz")); // every build verifies the index
        Assert.Equal("2.9-r0", ManifestPackage(_ws.Output("locked.tar"), "hello").GetProperty("version").GetString());
        // Exactly the locked set, and the installed database's entry for the package the index dropped is the one
        // the index had (rebuilt from its .PKGINFO): the whole database equals the one built when the lock was made.
        // (The images differ only in etc/apk/repositories: each fixture server listens on another port.)
        var installed = AlpineRebuildWorkspace.ReadFromImage(_ws.Output("locked.tar"), "lib/apk/db/installed");
        Assert.Equal(["alpine-base", "busybox", "hello", "musl"], Names(installed)); // apk writes it by name
        Assert.Equal(oldStanza, Stanza(installed, "hello"));
        Assert.Equal(AlpineRebuildWorkspace.ReadFromImage(lockedImage, "lib/apk/db/installed"), installed);
    }

    [Fact]
    public async Task A_locked_build_fetches_a_dropped_package_from_the_mirror_and_verifies_it_against_the_lock()
    {
        _ws.Publish("2.9-r0");
        using (var v1 = _ws.Serve()) await LockAsync(v1.BaseUrl);
        var oldApk = File.ReadAllBytes(Path.Combine(_ws.MainDir, "hello-2.9-r0.apk"));

        // Same version, rebuilt (another C:), still at the old file name: the lock's Q1 must reject it.
        _ws.Publish("2.9-r0", helloComment: "rebuilt");
        using (var rebuilt = _ws.Serve())
        {
            var (code, _, stderr) = await _ws.BuildAsync(rebuilt.BaseUrl, _ws.Cache("fresh"), _ws.Output("bad.tar"), "--locked");
            Assert.Equal(ExitCodes.VerificationFailed, code);
            Assert.Contains("hello-2.9-r0", stderr);
            Assert.False(File.Exists(_ws.Output("bad.tar")));
        }

        // The index moved on to 2.10-r0 but the mirror still has the original 2.9-r0 file: the build takes it.
        _ws.Publish("2.10-r0");
        File.WriteAllBytes(Path.Combine(_ws.MainDir, "hello-2.9-r0.apk"), oldApk);
        using var v2 = _ws.Serve();
        var ok = await _ws.BuildAsync(v2.BaseUrl, _ws.Cache("fresh2"), _ws.Output("ok.tar"), "--locked");
        Assert.True(ok.Code == 0, ok.Stderr);
        Assert.Equal(1, v2.RequestCount("v3.23/main/x86_64/hello-2.9-r0.apk"));
        Assert.Equal("2.9-r0", ManifestPackage(_ws.Output("ok.tar"), "hello").GetProperty("version").GetString());
    }

    [Fact]
    public async Task A_locked_package_on_neither_the_mirror_nor_in_the_cache_is_named()
    {
        _ws.Publish("2.9-r0");
        using (var v1 = _ws.Serve()) await LockAsync(v1.BaseUrl);
        _ws.Publish("2.10-r0");
        using var v2 = _ws.Serve();
        var (code, _, stderr) = await _ws.BuildAsync(v2.BaseUrl, _ws.Cache("empty"), _ws.Output("x.tar"), "--locked");
        Assert.Equal(ExitCodes.FetchFailed, code);
        Assert.Contains("1 package(s) could not be fetched", stderr);
        Assert.Contains("hello 2.9-r0 (x86_64): not on the mirror", stderr);
    }

    [Fact]
    public async Task Lock_check_and_diff_report_an_upgrade_in_apk_version_order()
    {
        _ws.Publish("2.9-r0");
        using (var v1 = _ws.Serve())
        {
            await LockAsync(v1.BaseUrl);
            Assert.Equal(0, (await _ws.BuildAsync(v1.BaseUrl, _ws.Cache(), _ws.Output("old.tar"))).Code);
        }
        _ws.Publish("2.10-r0");
        using var v2 = _ws.Serve();
        var check = await RebuildWorkspace.RunAsync("lock", _ws.RecipePath, "--check", "--mirror", v2.BaseUrl, "--cache", _ws.Cache());
        Assert.Equal(ExitCodes.DiffChanged, check.Code);
        Assert.Contains("hello", check.Stdout);
        Assert.Equal(0, (await _ws.BuildAsync(v2.BaseUrl, _ws.Cache(), _ws.Output("new.tar"))).Code);

        // 2.10 is newer than 2.9 in apk's order, though not in ordinal string order.
        var (code, stdout, _) = await RebuildWorkspace.RunAsync("diff", _ws.Output("old.tar"), _ws.Output("new.tar"), "--json");
        Assert.Equal(ExitCodes.DiffChanged, code);
        var json = JsonDocument.Parse(stdout).RootElement;
        var upgraded = Assert.Single(json.GetProperty("upgraded").EnumerateArray());
        Assert.Equal("hello", upgraded.GetProperty("name").GetString());
        Assert.Equal("2.9-r0", upgraded.GetProperty("oldVersion").GetString());
        Assert.Equal("2.10-r0", upgraded.GetProperty("newVersion").GetString());
        Assert.Empty(json.GetProperty("downgraded").EnumerateArray());
        Assert.Equal(3, json.GetProperty("unchanged").GetInt32());
    }

    [Fact]
    public async Task Lock_check_and_diff_tell_a_rebuilt_package_by_q1_and_by_the_file_hash()
    {
        _ws.Publish("2.9-r0");
        using (var v1 = _ws.Serve())
        {
            await LockAsync(v1.BaseUrl);
            Assert.Equal(0, (await _ws.BuildAsync(v1.BaseUrl, _ws.Cache(), _ws.Output("old.tar"))).Code);
        }
        _ws.Publish("2.9-r0", helloComment: "rebuilt");
        using var v2 = _ws.Serve();
        // Same version, other control member: the lock's q1 no longer matches.
        var check = await RebuildWorkspace.RunAsync("lock", _ws.RecipePath, "--check", "--mirror", v2.BaseUrl, "--cache", _ws.Cache());
        Assert.Equal(ExitCodes.DiffChanged, check.Code);
        Assert.Contains("hello", check.Stdout);
        Assert.Equal(0, (await _ws.BuildAsync(v2.BaseUrl, _ws.Cache(), _ws.Output("new.tar"))).Code);

        var (code, stdout, _) = await RebuildWorkspace.RunAsync("diff", _ws.Output("old.tar"), _ws.Output("new.tar"), "--json");
        Assert.Equal(ExitCodes.DiffChanged, code);
        var json = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("hello", Assert.Single(json.GetProperty("rebuilt").EnumerateArray()).GetProperty("name").GetString());
        Assert.Empty(json.GetProperty("upgraded").EnumerateArray());
    }

    private static List<string> Names(string installed) =>
        installed.Split('\n').Where(l => l.StartsWith("P:", StringComparison.Ordinal)).Select(l => l[2..]).ToList();

    /// <summary>The index header of one package's entry in lib/apk/db/installed (up to its first F: line).</summary>
    private static string Stanza(string installed, string name)
    {
        var entry = installed.Split("\n\n").Single(e => e.Contains($"\nP:{name}\n", StringComparison.Ordinal));
        var at = entry.IndexOf("\nF:", StringComparison.Ordinal);
        var header = at < 0 ? entry : entry[..at];
        Assert.Contains("\nL:", header);
        return header;
    }
}
