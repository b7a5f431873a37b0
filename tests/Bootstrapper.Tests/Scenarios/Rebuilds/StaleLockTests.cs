using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Locking;
using Bootstrapper.Core.Recipes;
using Bootstrapper.Tests.Fixtures;

namespace Bootstrapper.Tests.Scenarios.Rebuilds;

/// <summary>
/// The lock records a hash of the recipe's selection: after the recipe asks for something else, --locked refuses
/// (exit 2, nothing written) and says how to update the lock, and `lock --check` reports the change.
/// </summary>
public sealed class StaleLockTests : IDisposable
{
    private readonly RebuildWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    private void Include(string package) =>
        File.WriteAllText(_ws.RecipePath, File.ReadAllText(_ws.RecipePath)
            .Replace("variant = \"essential\"", $"variant = \"essential\"\ninclude = [\"{package}\"]"));

    private async Task<RepositoryServer> LockedServerAsync()
    {
        var server = new RepositoryServer(RebuildWorkspace.Repository());
        var (code, _, stderr) = await RebuildWorkspace.RunAsync("lock", _ws.RecipePath, "--mirror", server.BaseUrl,
            "--keyring", _ws.FixtureKeyring, "--cache", _ws.Cache());
        Assert.True(code == 0, stderr);
        return server;
    }

    [Fact]
    public async Task The_lock_records_the_selection_hash()
    {
        using var server = await LockedServerAsync();
        var lockFile = LockFile.FromJson(File.ReadAllText(_ws.LockPath), _ws.LockPath);
        Assert.Equal(RecipeSelection.Hash(RecipeLoader.Load(_ws.RecipePath)), lockFile.Selection);
        Assert.Matches("^sha256:[0-9a-f]{64}$", lockFile.Selection);
        Assert.Contains($"\"architecture\": \"amd64\",\n  \"selection\": \"{lockFile.Selection}\",\n  \"packages\"", File.ReadAllText(_ws.LockPath));
    }

    [Fact]
    public async Task A_locked_build_after_the_include_changed_exits_2_and_writes_nothing()
    {
        using var server = await LockedServerAsync();
        Include("hello");
        var output = Path.Combine(_ws.Root, "out", "image.tar");

        var (code, _, stderr) = await RebuildWorkspace.RunAsync(_ws.RecipePath, "--locked", "-o", output, "--mirror", server.BaseUrl,
            "--keyring", _ws.FixtureKeyring, "--cache", _ws.Cache("build-cache"));

        Assert.Equal(ExitCodes.UsageOrRecipe, code);
        Assert.Contains($"error: {_ws.LockPath} is stale: {_ws.RecipePath}'s package selection (sources, architecture, variant, " +
                        "include or exclude) changed since the lock was written, and --locked would build the old set. " +
                        $"Run `bootstrap lock {_ws.RecipePath}` to update the lock (review its diff), then build again", stderr);
        Assert.False(Directory.Exists(Path.Combine(_ws.Root, "out")));
        Assert.False(Directory.Exists(_ws.Cache("build-cache")));
        Assert.Equal(0, server.RequestCount("dists/bookworm/InRelease") - 1); // only the lock's own request
    }

    [Fact]
    public async Task Lock_check_reports_a_changed_selection_even_when_the_packages_are_the_same()
    {
        using var server = await LockedServerAsync();
        Include("libc6"); // already in the set: same packages, other selection
        var (code, stdout, _) = await RebuildWorkspace.RunAsync("lock", _ws.RecipePath, "--check", "--mirror", server.BaseUrl,
            "--keyring", _ws.FixtureKeyring, "--cache", _ws.Cache());
        Assert.Equal(ExitCodes.DiffChanged, code);
        Assert.Contains("The recipe's package selection changed since the lock was written.\nThe lock file is out of date", stdout);
    }

    [Fact]
    public async Task Mirrors_and_output_are_not_part_of_the_selection()
    {
        using var server = await LockedServerAsync();
        File.WriteAllText(_ws.RecipePath, File.ReadAllText(_ws.RecipePath).Replace("out/fixture.tar", "elsewhere/x.tar"));
        var (code, _, stderr) = await RebuildWorkspace.RunAsync("fetch", _ws.RecipePath, "--locked", "--mirror", server.BaseUrl,
            "--keyring", _ws.FixtureKeyring, "--cache", _ws.Cache());
        Assert.True(code == 0, stderr);
    }
}
