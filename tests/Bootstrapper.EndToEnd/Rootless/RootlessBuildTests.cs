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

    /// <summary>
    /// The root builds, one by one; then the same two recipes built by the unprivileged user in one command, side
    /// by side (--jobs 2, one shared cache): each image has the root build's bytes.
    /// </summary>
    [Fact]
    public async Task An_unprivileged_user_builds_bookworm_and_trixie_at_once_with_the_bytes_of_the_root_builds()
    {
        var recipes = new[] { "debian-bookworm", "debian-trixie" };
        var expected = new Dictionary<string, string>();
        foreach (var name in recipes)
        {
            var asRoot = Path.Combine(_work, name + "-root.tar");
            var log = new StringWriter();
            var code = await Bootstrapper.Cli.Commands.CliApp.RunAsync(
                [Recipe(name + ".toml"), "-o", asRoot, "--cache", BookwormImageFixture.CacheDir, "--source-date-epoch", Epoch.ToString(CultureInfo.InvariantCulture), "-q"],
                log, log);
            Assert.True(code == 0, log.ToString());
            expected[name] = BuiltCli.Sha256(asRoot);
        }

        var r = RootlessUser.RunIn(_work, RootlessUser.Name,
            ["build", .. recipes.Select(n => Recipe(n + ".toml")), "--jobs", "2", "--source-date-epoch", Epoch.ToString(CultureInfo.InvariantCulture)]);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        foreach (var name in recipes)
        {
            var image = Path.Combine(_work, "out", name + ".tar");
            Assert.Equal(expected[name], BuiltCli.Sha256(image));
            // Written by the user, not by root.
            Assert.Equal(RootlessUser.Name, Sh.Run("stat", "-c", "%U", image).Ok("stat").Stdout.Trim());
            Assert.Contains($"[{name}] {image} (", r.Stdout);
        }
        // Each build's progress lines carry its name, and the staging area is empty again.
        Assert.Contains("[debian-trixie] install: done", r.Stderr);
        var uid = Sh.Run("id", "-u", RootlessUser.Name).Ok("id").Stdout.Trim();
        Assert.Empty(Directory.Exists($"/dev/shm/bootstrap-staging-{uid}") ? Directory.GetFileSystemEntries($"/dev/shm/bootstrap-staging-{uid}") : []);
    }

    [Fact]
    public async Task An_unprivileged_alpine_build_gives_the_bytes_of_the_root_build()
    {
        var recipe = Bootstrapper.EndToEnd.Alpine.AlpineFixtureRecipe.Write(_work, "alpine-rootless");
        var repo = Path.Combine(_work, "repo");
        Sh.Run("chmod", "-R", "a+rX", repo).Ok("chmod");
        var mirror = new Uri(repo + "/").AbsoluteUri;
        string[] common = [recipe, "--mirror", mirror, "--source-date-epoch", Epoch.ToString(CultureInfo.InvariantCulture), "-q"];
        var asRoot = Path.Combine(_work, "root.tar");
        var log = new StringWriter();
        var code = await Bootstrapper.Cli.Commands.CliApp.RunAsync([.. common, "-o", asRoot, "--cache", Path.Combine(_work, "root-cache")], log, log);
        Assert.True(code == 0, log.ToString());

        var rootless = Path.Combine(_work, "rootless.tar");
        var r = RootlessUser.Run(RootlessUser.Name, [.. common, "-o", rootless, "--cache", Path.Combine(_work, "user-cache")]);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Equal(BuiltCli.Sha256(asRoot), BuiltCli.Sha256(rootless));
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
