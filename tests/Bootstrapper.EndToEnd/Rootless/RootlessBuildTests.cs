using System.Globalization;
using Bootstrapper.EndToEnd.Build;

namespace Bootstrapper.EndToEnd.Rootless;

/// <summary>
/// A build by an unprivileged user with subordinate ids (unshare mode) gives the very bytes of the root build with
/// the same epoch; without what it needs it stops before any download with the fix in the message.
/// </summary>
public sealed class RootlessBuildTests : IDisposable
{
    private const long Epoch = 1_700_000_000;
    private readonly string _work = Directory.CreateTempSubdirectory("bootstrap-rootless-").FullName;

    public RootlessBuildTests()
    {
        RootlessUser.Ensure();
        // The user writes its image here.
        Sh.Run("chmod", "0777", _work).Ok("chmod");
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static string Recipe(string name) => Path.Combine(RepoRoot.Path, "recipes", name);

    [Theory]
    [InlineData("debian-bookworm.toml")]
    [InlineData("debian-trixie.toml")]
    public async Task An_unprivileged_build_gives_the_bytes_of_the_root_build(string recipe)
    {
        var asRoot = Path.Combine(_work, "root.tar");
        var stdout = new StringWriter();
        var code = await Bootstrapper.Cli.Commands.CliApp.RunAsync(
            [Recipe(recipe), "-o", asRoot, "--cache", BookwormImageFixture.CacheDir, "--source-date-epoch", Epoch.ToString(CultureInfo.InvariantCulture), "-q"],
            stdout, stdout);
        Assert.True(code == 0, stdout.ToString());

        var rootless = Path.Combine(_work, "rootless.tar");
        var r = RootlessUser.Run(RootlessUser.Name, [Recipe(recipe), "-o", rootless, "--source-date-epoch", Epoch.ToString(CultureInfo.InvariantCulture), "-q"]);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Equal(BuiltCli.Sha256(asRoot), BuiltCli.Sha256(rootless));
        // Written by the user, not by root; the staging area is gone.
        Assert.Equal(RootlessUser.Name, Sh.Run("stat", "-c", "%U", rootless).Ok("stat").Stdout.Trim());
        var uid = Sh.Run("id", "-u", RootlessUser.Name).Ok("id").Stdout.Trim();
        Assert.Empty(Directory.Exists($"/dev/shm/bootstrap-staging-{uid}") ? Directory.GetFileSystemEntries($"/dev/shm/bootstrap-staging-{uid}") : []);
    }

    [Fact]
    public void Without_subordinate_ids_the_build_stops_before_downloading_and_says_what_to_configure()
    {
        var home = RootlessUser.Home + "-nosubids";
        Sh.Run("rm", "-rf", Path.Combine(home, ".cache")).Ok("rm");
        var r = RootlessUser.Run(RootlessUser.NoSubidsName, [Recipe("debian-bookworm.toml"), "-o", Path.Combine(_work, "x.tar")]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"building without root needs 65535 subordinate ids for user {RootlessUser.NoSubidsName}", r.Stderr);
        Assert.Contains($"usermod --add-subuids 100000-165535 {RootlessUser.NoSubidsName}", r.Stderr);
        Assert.False(Directory.Exists(Path.Combine(home, ".cache", "bootstrap")), "something was fetched before the check");
        Assert.False(File.Exists(Path.Combine(_work, "x.tar")));
    }

    [Fact]
    public void With_user_namespaces_switched_off_the_build_stops_before_downloading_naming_the_sysctl()
    {
        // A user namespace of the test's own, where max_user_namespaces can be 0 without touching the host's.
        var cache = Path.Combine(_work, "cache");
        var r = Sh.Run("unshare", ["--user", "--map-root-user", "sh", "-c",
            "echo 0 > /proc/sys/user/max_user_namespaces && exec \"$@\"", "sh",
            .. BuiltCli.Command(), Recipe("debian-bookworm.toml"), "--mode", "unshare", "--cache", cache, "-o", Path.Combine(_work, "x.tar")]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("user namespaces are switched off here (/proc/sys/user/max_user_namespaces is 0): as root, sysctl -w user.max_user_namespaces=15000", r.Stderr);
        Assert.False(Directory.Exists(cache), "something was fetched before the check");
    }

    [Fact]
    public void Mode_root_as_another_user_is_refused_before_downloading()
    {
        var r = RootlessUser.Run(RootlessUser.Name, [Recipe("debian-bookworm.toml"), "--mode", "root", "-o", Path.Combine(_work, "x.tar")]);
        Assert.Equal(6, r.ExitCode);
        Assert.Contains("--mode root needs root", r.Stderr);
    }
}
