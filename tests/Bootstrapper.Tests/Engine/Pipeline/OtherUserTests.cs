using System.Runtime.Versioning;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Recipes;
using Bootstrapper.Core.Staging;
using Bootstrapper.Engine;
using Bootstrapper.Engine.Os.Native;
using Bootstrapper.Engine.Pipeline;
using Bootstrapper.Tests.Fixtures;
using Bootstrapper.Tests.Scenarios.Rebuilds;

namespace Bootstrapper.Tests.Engine.Pipeline;

/// <summary>
/// Another local user (uid 65534, a real second process) against the staging area: one that made the staging
/// directory first and keeps swapping what appears in it for links to a tree of its own; one racing the build to
/// create it; and one trying to touch what the build made in a safe one.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class OtherUserTests : IDisposable
{
    private readonly StagingWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [RootFact]
    public async Task A_staging_directory_the_other_user_made_first_is_refused_before_any_download()
    {
        _ws.Dir("shm", "1777");
        var staging = _ws.PathOf("shm/bootstrap-staging");
        var stop = _ws.PathOf("stop");
        var before = _ws.SentinelState();
        // It makes the directory (as after a reboot, before any build did), then swaps every entry that appears in
        // it for a link to its sentinel tree, until told to stop.
        StagingWorkspace.RunAsNobody($"mkdir -m 755 '{staging}'");
        using var attacker = StagingWorkspace.StartAsNobody(
            $"while [ ! -e '{stop}' ]; do for d in '{staging}'/*; do [ -d \"$d\" ] && [ ! -L \"$d\" ] && " +
            $"mv \"$d\" \"$d.away\" && ln -s '{_ws.Sentinel}' \"$d\"; done; done");

        using var server = new RepositoryServer(RebuildWorkspace.Repository());
        using var rebuild = new RebuildWorkspace();
        var options = new BuildOptions
        {
            MirrorOverride = server.BaseUrl,
            CacheDirectory = rebuild.Cache(),
            ExtraKeyrings = [rebuild.FixtureKeyring],
            OutputOverride = Path.Combine(rebuild.Root, "out", "fixture.tar"),
            Environment = new Dictionary<string, string> { [StagingLocation.Variable] = staging },
        };
        try
        {
            var e = await Assert.ThrowsAsync<BootstrapException>(() =>
                ImageBuilder.BuildAsync(RecipeLoader.Load(rebuild.RecipePath), options, new NullReporter(), default));
            Assert.Equal(ExitCodes.UsageOrRecipe, e.ExitCode);
            Assert.StartsWith($"refusing the staging directory '{staging}' (BOOTSTRAP_STAGING_DIR): it is owned by " +
                "uid 65534 (mode 0755), not by root, who runs the build:", e.Message);
        }
        finally
        {
            File.WriteAllText(stop, "");
            await attacker.WaitForExitAsync();
        }
        Assert.Equal(0, server.RequestCount("dists/bookworm/InRelease")); // nothing downloaded
        Assert.False(Directory.Exists(rebuild.Cache()));                  // nothing written at all
        Assert.Empty(Directory.GetFileSystemEntries(staging));
        Assert.Equal(before, _ws.SentinelState());
    }

    [RootFact]
    public async Task Racing_the_build_to_make_the_default_directory_gets_a_refusal_or_nothing()
    {
        _ws.Dir("shm", "1777");
        var parent = new StagingParent(_ws.PathOf("shm/bootstrap-staging"), StagingSource.SharedMemoryDefault);
        var stop = _ws.PathOf("stop");
        var before = _ws.SentinelState();
        // As fast as it can: plant a link to its tree where the build's directory goes, or a directory of its own,
        // and take either away again.
        using var attacker = StagingWorkspace.StartAsNobody(
            $"while [ ! -e '{stop}' ]; do ln -s '{_ws.Sentinel}' '{parent.Path}' 2>/dev/null; rm -f '{parent.Path}' " +
            $"2>/dev/null; mkdir '{parent.Path}' 2>/dev/null; rmdir '{parent.Path}' 2>/dev/null; done");
        int refused = 0, made = 0;
        try
        {
            for (int i = 0; i < 200; i++)
            {
                try
                {
                    var build = StagingArea.CreateBuildDirectory(parent, "race");
                    made++;
                    // What the build got is its own: the staging directory root's and private, the root in it.
                    var status = LibC.Lstat(parent.Path);
                    Assert.True(status.IsDirectory);
                    Assert.Equal(0u, status.Uid);
                    Assert.Equal(0b111_000_000u, status.Permissions);
                    Assert.Equal(parent.Path, Path.GetDirectoryName(build));
                    Assert.True(LibC.Lstat(Path.Combine(build, StagingArea.RootName)).IsDirectory);
                    Directory.Delete(parent.Path, recursive: true); // and race again
                }
                catch (BootstrapException e)
                {
                    refused++;
                    Assert.Equal(ExitCodes.UsageOrRecipe, e.ExitCode);
                    Assert.Matches(@"^refusing the staging directory '.*' \(the default staging directory in /dev/shm\): " +
                        @"it is (a symlink \(owner uid 65534\)|owned by uid 65534 \(mode 0[0-7]{3}\), not by root, who runs the build): ",
                        e.Message);
                }
            }
        }
        finally
        {
            File.WriteAllText(stop, "");
            await attacker.WaitForExitAsync();
        }
        Assert.Equal(200, refused + made);
        Assert.Equal(before, _ws.SentinelState());
    }

    [RootTheory]
    [InlineData("1777", null)]   // made by the build (0700) in a shared sticky directory, as /dev/shm
    [InlineData("755", "755")]   // the build user's, readable by all, as the cache
    [InlineData("755", "1777")]  // shared and sticky itself, as BOOTSTRAP_STAGING_DIR=/tmp would be
    public void In_a_safe_staging_directory_the_other_user_can_neither_create_nor_rename_anything(string aboveMode,
        string? stagingMode)
    {
        _ws.Dir("above", aboveMode);
        if (stagingMode is not null) _ws.Dir("above/staging", stagingMode);
        var parent = new StagingParent(_ws.PathOf("above/staging"), StagingSource.SharedMemoryDefault);
        var build = StagingArea.CreateBuildDirectory(parent, "demo");
        var root = Path.Combine(build, StagingArea.RootName);
        var s = _ws.Sentinel;
        // Each attempt that works prints its name: none may.
        var worked = StagingWorkspace.RunAsNobody(string.Join("\n",
            $"mkdir '{build}/x' 2>/dev/null && echo mkdir-in-build",
            $"mv '{root}' '{build}/old' 2>/dev/null && echo rename-root",
            $"ln -s '{s}' '{build}/root2' 2>/dev/null && echo link-in-build",
            $"touch '{root}/x' 2>/dev/null && echo write-in-root",
            $"mv '{build}' '{build}.away' 2>/dev/null && echo rename-build",
            $"rm -rf '{build}' 2>/dev/null && echo remove-build",
            $"mv '{parent.Path}' '{parent.Path}.away' 2>/dev/null && echo rename-staging",
            $"ln -s '{s}' '{build}' 2>/dev/null && echo link-over-build",
            "true"));
        Assert.Equal("", worked);
        Assert.Equal([root], Directory.GetFileSystemEntries(build));
        Assert.Contains(build, Directory.GetFileSystemEntries(parent.Path));
        Assert.Empty(Directory.GetFileSystemEntries(root));
    }
}
