using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Locking;
using Bootstrapper.Tests.Fixtures;

namespace Bootstrapper.Tests.Scenarios.Rebuilds;

/// <summary>
/// `bootstrap lock` and `--locked` at the plan and fetch levels, against the signed fixture repository on
/// 127.0.0.1 (the install itself needs root and dpkg: the end-to-end tests build). "fetch --locked" runs the same
/// plan and download phases a locked build does.
/// </summary>
public sealed class LockedBuildTests : IDisposable
{
    private readonly RebuildWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    private async Task<LockFile> LockAsync(string mirror, string cache)
    {
        var (code, stdout, stderr) = await RebuildWorkspace.RunAsync("lock", _ws.RecipePath, "--mirror", mirror,
            "--keyring", _ws.FixtureKeyring, "--cache", cache);
        Assert.True(code == 0, stderr);
        Assert.Contains("fixture.lock.json: 2 packages", stdout);
        return LockFile.FromJson(File.ReadAllText(_ws.LockPath), _ws.LockPath);
    }

    private Task<(int Code, string Stdout, string Stderr)> FetchLockedAsync(string mirror, string cache, params string[] extra) =>
        RebuildWorkspace.RunAsync(["fetch", _ws.RecipePath, "--locked", "--mirror", mirror, "--keyring", _ws.FixtureKeyring,
            "--cache", cache, .. extra]);

    [Fact]
    public async Task Lock_records_every_package_with_size_hash_and_the_index_signers()
    {
        var repo = RebuildWorkspace.Repository();
        using var server = new RepositoryServer(repo);
        var lockFile = await LockAsync(server.BaseUrl, _ws.Cache());

        Assert.Equal(["base-files", "libc6"], lockFile.Packages.Select(p => p.Name));
        var baseFiles = lockFile.Packages[0];
        Assert.Equal("12.4", baseFiles.Version);
        Assert.Equal("pool/main/b/base-files/base-files_12.4_amd64.deb", baseFiles.Filename);
        Assert.Equal(SignedDebianRepository.Sha256("base-files 12.4 deb"u8.ToArray()), baseFiles.Sha256);
        Assert.Equal(server.BaseUrl, baseFiles.Repository);
        var index = Assert.Single(lockFile.Indices);
        Assert.Equal($"{server.BaseUrl}/dists/bookworm/InRelease", index.Url);
        Assert.Equal([TestKey.Default.SigningFingerprint], index.SignedBy);
        Assert.Equal(SignedDebianRepository.FormatDate(repo.Date), index.Date);
    }

    [Fact]
    public async Task Locked_fetch_still_succeeds_from_the_cache_after_the_repository_publishes_a_newer_version()
    {
        using (var v1 = new RepositoryServer(RebuildWorkspace.Repository("12.4")))
        {
            await LockAsync(v1.BaseUrl, _ws.Cache());
            var (code, _, stderr) = await FetchLockedAsync(v1.BaseUrl, _ws.Cache());
            Assert.True(code == 0, stderr);
        }
        // The mirror moved on: its index lists 12.5 only and its pool no longer has 12.4 (another URL, too).
        using var v2 = new RepositoryServer(RebuildWorkspace.Repository("12.5"));
        var plain = await RebuildWorkspace.RunAsync("fetch", _ws.RecipePath, "--mirror", v2.BaseUrl, "--keyring",
            _ws.FixtureKeyring, "--cache", _ws.Cache("fresh"));
        Assert.True(plain.Code == 0, plain.Stderr);
        Assert.Equal(1, v2.RequestCount("pool/main/b/base-files/base-files_12.5_amd64.deb")); // unlocked: the new one

        var locked = await FetchLockedAsync(v2.BaseUrl, _ws.Cache());
        Assert.True(locked.Code == 0, locked.Stderr);
        Assert.Equal(2, v2.RequestCount("dists/bookworm/InRelease")); // each run fetches and verifies the index
        Assert.Equal(1, v2.RequestCount("pool/main/b/base-files/base-files_12.5_amd64.deb")); // not again by the locked fetch
        Assert.Equal(0, v2.RequestCount("pool/main/b/base-files/base-files_12.4_amd64.deb")); // came from the cache
    }

    [Fact]
    public async Task Locked_fetch_downloads_a_locked_file_the_pool_still_has_though_the_index_moved_on()
    {
        using (var v1 = new RepositoryServer(RebuildWorkspace.Repository("12.4")))
            await LockAsync(v1.BaseUrl, _ws.Cache());
        using var v2 = new RepositoryServer(RebuildWorkspace.Repository("12.5"));
        // Debian keeps superseded files in the pool for a while (and snapshot mirrors keep them for ever).
        v2.Serve("pool/main/b/base-files/base-files_12.4_amd64.deb", "base-files 12.4 deb"u8.ToArray());

        var (code, _, stderr) = await FetchLockedAsync(v2.BaseUrl, _ws.Cache("empty"));
        Assert.True(code == 0, stderr);
        Assert.Equal(1, v2.RequestCount("pool/main/b/base-files/base-files_12.4_amd64.deb"));
    }

    [Fact]
    public async Task Locked_fetch_names_each_package_neither_the_mirror_nor_the_cache_has()
    {
        var v1Repo = RebuildWorkspace.Repository("12.4");
        using (var v1 = new RepositoryServer(v1Repo))
            await LockAsync(v1.BaseUrl, _ws.Cache());
        var v2Repo = RebuildWorkspace.Repository("12.5");
        using var v2 = new RepositoryServer(v2Repo);
        v2.Remove("pool/main/libc/libc6/libc6_2.36-9_amd64.deb"); // and the mirror lost libc6 as well

        var (code, _, stderr) = await FetchLockedAsync(v2.BaseUrl, _ws.Cache("empty"));
        Assert.Equal(ExitCodes.FetchFailed, code);
        Assert.Contains("2 package(s) could not be fetched", stderr);
        Assert.Contains("base-files 12.4 (amd64): not on the mirror", stderr);
        Assert.Contains("libc6 2.36-9 (amd64): not on the mirror", stderr);
        Assert.Contains("bootstrap lock", stderr);
    }

    [Fact]
    public async Task Lock_check_exits_10_when_the_repository_changed_and_0_when_not()
    {
        using (var v1 = new RepositoryServer(RebuildWorkspace.Repository("12.4")))
        {
            await LockAsync(v1.BaseUrl, _ws.Cache());
            var same = await RebuildWorkspace.RunAsync("lock", _ws.RecipePath, "--check", "--mirror", v1.BaseUrl,
                "--keyring", _ws.FixtureKeyring, "--cache", _ws.Cache());
            Assert.Equal(0, same.Code);
            Assert.Contains("The lock file matches the plan", same.Stdout);
        }
        var before = File.ReadAllText(_ws.LockPath);
        using var v2 = new RepositoryServer(RebuildWorkspace.Repository("12.5"));
        var changed = await RebuildWorkspace.RunAsync("lock", _ws.RecipePath, "--check", "--mirror", v2.BaseUrl,
            "--keyring", _ws.FixtureKeyring, "--cache", _ws.Cache());
        Assert.Equal(ExitCodes.DiffChanged, changed.Code);
        Assert.Contains("base-files", changed.Stdout);
        Assert.Contains("12.5", changed.Stdout);
        Assert.Equal(before, File.ReadAllText(_ws.LockPath)); // --check writes nothing
    }

    [Fact]
    public async Task Locked_without_a_lock_file_says_how_to_make_one()
    {
        using var server = new RepositoryServer(RebuildWorkspace.Repository());
        var (code, _, stderr) = await FetchLockedAsync(server.BaseUrl, _ws.Cache());
        Assert.Equal(ExitCodes.UsageOrRecipe, code);
        Assert.Contains("fixture.lock.json does not exist; create it with `bootstrap lock", stderr);
    }
}
