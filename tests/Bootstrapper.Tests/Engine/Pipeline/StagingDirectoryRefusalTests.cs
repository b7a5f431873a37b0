using System.Runtime.Versioning;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Staging;
using Bootstrapper.Engine.Pipeline;
using Bootstrapper.Tests.Fixtures;

namespace Bootstrapper.Tests.Engine.Pipeline;

/// <summary>
/// Each way the staging directory (or a directory above it) can be in another user's hands is refused with exit 2,
/// naming the directory, the owner and mode found, and the fix; and what the build makes there is private.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class StagingDirectoryRefusalTests : IDisposable
{
    private readonly StagingWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    private static BootstrapException Refused(StagingParent parent)
    {
        var e = Assert.Throws<BootstrapException>(() => StagingArea.Check(parent));
        Assert.Equal(ExitCodes.UsageOrRecipe, e.ExitCode);
        // The same refusal when the build is about to make its directory there.
        Assert.Equal(e.Message, Assert.Throws<BootstrapException>(() => StagingArea.CreateBuildDirectory(parent, "x")).Message);
        return e;
    }

    private static string Why => "another user could swap the build's root for a tree of their own and the build " +
        "would run their programs as root.";

    [RootFact]
    public void A_symlink_is_refused_even_when_it_points_at_a_safe_directory()
    {
        var safe = _ws.Dir("safe", "700");
        var link = _ws.PathOf("link");
        File.CreateSymbolicLink(link, safe);
        Assert.Equal($"refusing the staging directory '{link}' (BOOTSTRAP_STAGING_DIR): it is a symlink (owner root): {Why} " +
            "Set BOOTSTRAP_STAGING_DIR to a real directory owned by root that nobody else can write to.",
            Refused(StagingWorkspace.Variable(link)).Message);
        Assert.Empty(Directory.GetFileSystemEntries(safe));
    }

    [RootFact]
    public void A_directory_owned_by_another_user_is_refused()
    {
        var dir = _ws.Dir("theirs", "755", StagingWorkspace.Nobody);
        Assert.Equal($"refusing the staging directory '{dir}' (BOOTSTRAP_STAGING_DIR): it is owned by uid 65534 " +
            $"(mode 0755), not by root, who runs the build: {Why} Fix it (chown 0 '{dir}' && chmod 0700 '{dir}'), or " +
            "set BOOTSTRAP_STAGING_DIR to a directory owned by root that nobody else can write to.",
            Refused(StagingWorkspace.Variable(dir)).Message);
        Assert.Empty(Directory.GetFileSystemEntries(dir));
    }

    [RootFact]
    public void The_default_directory_in_dev_shm_made_first_by_another_user_is_refused_with_what_to_do()
    {
        var dir = _ws.Dir("shm/bootstrap-staging", "700", StagingWorkspace.Nobody);
        Assert.Equal($"refusing the staging directory '{dir}' (the default staging directory in /dev/shm): it is " +
            $"owned by uid 65534 (mode 0700), not by root, who runs the build: {Why} Remove it (rm -rf '{dir}'; the " +
            "build recreates it, mode 0700), or set BOOTSTRAP_STAGING_DIR to a directory owned by root that nobody " +
            "else can write to.", Refused(new StagingParent(dir, StagingSource.SharedMemoryDefault)).Message);
    }

    [RootTheory]
    [InlineData("777", "0777")]
    [InlineData("770", "0770")]
    [InlineData("720", "0720")]
    public void A_directory_writable_by_group_or_others_without_the_sticky_bit_is_refused(string mode, string shown)
    {
        var dir = _ws.Dir("open", mode);
        Assert.Equal($"refusing the staging directory '{dir}' (the default staging directory in the cache): it is " +
            $"writable by group or others without the sticky bit (owner root, mode {shown}): {Why} Remove it " +
            $"(rm -rf '{dir}'; the build recreates it, mode 0700), or set BOOTSTRAP_STAGING_DIR to a directory owned " +
            "by root that nobody else can write to.", Refused(new StagingParent(dir, StagingSource.CacheDefault)).Message);
    }

    [RootFact]
    public void An_ancestor_writable_by_others_without_the_sticky_bit_is_refused()
    {
        var open = _ws.Dir("open", "777");
        var dir = _ws.Dir("open/staging", "700");
        Assert.Equal($"refusing the staging directory '{dir}' (BOOTSTRAP_STAGING_DIR): its ancestor '{open}' is " +
            $"writable by group or others without the sticky bit (owner root, mode 0777): {Why} Make '{open}' owned " +
            "by root and not writable by others (or sticky, as /tmp is), or set BOOTSTRAP_STAGING_DIR to a directory " +
            "owned by root that nobody else can write to, outside it.", Refused(StagingWorkspace.Variable(dir)).Message);
    }

    [RootFact]
    public void An_ancestor_owned_by_another_user_is_refused_even_when_it_does_not_let_others_write()
    {
        var theirs = _ws.Dir("theirs", "755", StagingWorkspace.Nobody);
        var dir = _ws.Dir("theirs/staging", "700");
        Assert.StartsWith($"refusing the staging directory '{dir}' (BOOTSTRAP_STAGING_DIR): its ancestor '{theirs}' " +
            "is owned by uid 65534 (mode 0755), not by root, who runs the build:",
            Refused(StagingWorkspace.Variable(dir)).Message);
    }

    [RootFact]
    public void A_symlink_above_the_directory_is_refused_when_another_user_owns_it_or_where_it_points()
    {
        var safe = _ws.Dir("safe", "755");
        _ws.Dir("safe/staging", "700");
        var theirLink = _ws.PathOf("their-link");
        File.CreateSymbolicLink(theirLink, safe);
        StagingWorkspace.Chown(theirLink, StagingWorkspace.Nobody);
        Assert.StartsWith($"refusing the staging directory '{theirLink}/staging' (BOOTSTRAP_STAGING_DIR): its ancestor " +
            $"'{theirLink}' is a symlink owned by uid 65534, not by root, who runs the build:",
            Refused(StagingWorkspace.Variable(theirLink + "/staging")).Message);

        // A link root owns is fine in itself, but the kernel follows it: where it points is checked like the rest.
        var open = _ws.Dir("open", "777");
        _ws.Dir("open/staging", "700");
        var link = _ws.PathOf("link");
        File.CreateSymbolicLink(link, "open");
        Assert.StartsWith($"refusing the staging directory '{link}/staging' (BOOTSTRAP_STAGING_DIR): its ancestor " +
            $"'{open}' is writable by group or others without the sticky bit (owner root, mode 0777):",
            Refused(StagingWorkspace.Variable(link + "/staging")).Message);

        var goodLink = _ws.PathOf("good-link");
        File.CreateSymbolicLink(goodLink, safe);
        StagingArea.Check(StagingWorkspace.Variable(goodLink + "/staging"));
    }

    [Fact]
    public void Check_creates_nothing_and_a_missing_directory_is_made_0700_with_a_private_build_directory_in_it()
    {
        var parent = StagingWorkspace.Variable(_ws.PathOf("a/b/staging"));
        StagingArea.Check(parent);
        Assert.False(Directory.Exists(_ws.PathOf("a")));

        var first = StagingArea.CreateBuildDirectory(parent, "demo");
        var second = StagingArea.CreateBuildDirectory(parent, "demo");
        Assert.NotEqual(first, second);
        Assert.Matches("^demo-[0-9a-f]{32}$", Path.GetFileName(first));
        Assert.Equal(parent.Path, Path.GetDirectoryName(first));
        Assert.Equal("755", Mode(_ws.PathOf("a/b")));
        Assert.Equal("700", Mode(parent.Path));
        Assert.Equal("700", Mode(first));
        Assert.Equal("755", Mode(Path.Combine(first, StagingArea.RootName)));
        Assert.Equal([Path.Combine(first, StagingArea.RootName)], Directory.GetFileSystemEntries(first));
    }

    [Fact]
    public void A_sticky_world_writable_ancestor_owned_by_root_or_the_user_is_fine_as_dev_shm_is()
    {
        _ws.Dir("shm", "1777");
        var parent = new StagingParent(_ws.PathOf("shm/bootstrap-staging"), StagingSource.SharedMemoryDefault);
        var build = StagingArea.CreateBuildDirectory(parent, "demo");
        Assert.True(Directory.Exists(Path.Combine(build, StagingArea.RootName)));
    }

    private static string Mode(string path) => Convert.ToString((int)File.GetUnixFileMode(path), 8);
}
