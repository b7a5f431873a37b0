using Bootstrapper.EndToEnd.Build;

namespace Bootstrapper.EndToEnd.Examples;

/// <summary>[[run]] steps on a real bookworm: stages, the network switch, and a failing step's message and exit code.</summary>
public sealed class RunStepTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bootstrap-e2e-run-").FullName;

    private string Recipe(string steps)
    {
        var slim = File.ReadAllText(Path.Combine(RepoRoot.Path, "recipes/examples/slim-bookworm.toml"))
            .Replace("../keys/", Path.Combine(RepoRoot.Path, "recipes/keys") + "/");
        var path = Path.Combine(_dir, "steps.toml");
        File.WriteAllText(path, slim + "\n" + steps);
        return path;
    }

    [Fact]
    public void Steps_run_at_their_stage_with_the_network_only_when_asked()
    {
        // /proc/net/dev lists lo alone in a network namespace of our own; the host's interfaces when shared.
        var recipe = Recipe("""
            [[run]]
            name = "isolated"
            stage = "after-essential"
            command = "test $(grep -c : /proc/net/dev) -eq 1; test ! -e /usr/bin/apt-get; echo essential > /etc/stage-essential"

            [[run]]
            name = "networked"
            stage = "before-pack"
            network = true
            command = "test $(grep -c : /proc/net/dev) -gt 1; test -e /etc/apt/sources.list.d/debian.sources; test -e /etc/resolv.conf; echo pack > /etc/stage-pack"
            """);
        var image = Path.Combine(_dir, "steps.tar");
        // As a separate process: --verbose lines go to its stderr, where a user reads the steps' output.
        var cli = BuiltCli.Command();
        var result = Sh.Run(cli[0], [.. cli.Skip(1), recipe, "-o", image, "--cache", BookwormImageFixture.CacheDir,
            "--source-date-epoch", BookwormImageFixture.Epoch.ToString(), "--verbose"]).Ok("bootstrap with run steps");
        Assert.Matches(@"\] run isolated: # chroot: /bin/sh -ec test", result.Stderr);
        Assert.Matches(@"\] run networked \(before-pack\): done in", result.Stderr);
        var listing = Sh.Run("tar", "-tf", image).Ok("tar -t").Stdout.Split('\n');
        Assert.Contains("./etc/stage-essential", listing);
        Assert.Contains("./etc/stage-pack", listing);
        Assert.DoesNotContain("./etc/resolv.conf", listing); // lent to the networked step only
    }

    [Fact]
    public async Task A_failing_step_is_named_with_its_exit_code_and_exit_7()
    {
        var recipe = Recipe("""
            [[run]]
            name = "breaks"
            command = "echo about to fail; exit 3"
            """);
        var (code, log) = await ExampleImages.BuildAsync(recipe, Path.Combine(_dir, "fails.tar"));
        Assert.Equal(7, code);
        Assert.Contains("run step 'breaks' (after-packages) failed with exit code 3. Last output:\n  about to fail\n", log);
        Assert.False(File.Exists(Path.Combine(_dir, "fails.tar")));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
