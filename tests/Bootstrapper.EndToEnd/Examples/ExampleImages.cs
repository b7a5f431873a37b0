using Bootstrapper.Cli.Commands;
using Bootstrapper.EndToEnd.Build;

namespace Bootstrapper.EndToEnd.Examples;

/// <summary>
/// Builds each recipe under recipes/examples twice with the same epoch (from the host's mirror, the shared e2e
/// cache) and imports the first build into podman, once for all tests of the collection.
/// </summary>
public sealed class ExampleImages : IAsyncLifetime
{
    public static readonly string[] Names = ["inhouse-bookworm", "python3-bookworm", "slim-bookworm"];
    private static readonly string[] RunFlags =
        ["--runtime", "runc", "--network=none", "--ulimit", "nofile=20000:20000", "--ulimit", "nproc=32768:32768"];

    public string WorkDir { get; } = Directory.CreateTempSubdirectory("bootstrap-e2e-examples-").FullName;
    public Dictionary<string, (string First, string Second)> Hashes { get; } = [];
    private readonly Dictionary<string, string> _tags = [];

    public string ImagePath(string name) => Path.Combine(WorkDir, name + ".tar");

    public async ValueTask InitializeAsync()
    {
        foreach (var name in Names)
        {
            var first = ImagePath(name);
            var second = Path.Combine(WorkDir, name + "-again.tar");
            foreach (var output in new[] { first, second })
            {
                var (code, log) = await BuildAsync(Path.Combine(RepoRoot.Path, "recipes", "examples", name + ".toml"), output);
                if (code != 0) throw new InvalidOperationException($"bootstrap {name} exited with {code}:\n{log}");
            }
            Hashes[name] = (BuiltCli.Sha256(first), BuiltCli.Sha256(second));
            var tag = $"localhost/bootstrap-e2e-{name}:{Path.GetFileName(WorkDir).ToLowerInvariant().Replace('_', '-')}";
            Sh.Run("podman", "import", first, tag).Ok("podman import " + name);
            _tags[name] = tag;
        }
    }

    /// <summary>`bootstrap RECIPE -o OUT` in-process with the e2e cache and a fixed epoch; exit code and output.</summary>
    public static async Task<(int Code, string Log)> BuildAsync(string recipe, string output)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync([recipe, "-o", output, "--cache", BookwormImageFixture.CacheDir,
            "--source-date-epoch", BookwormImageFixture.Epoch.ToString(), "--verbose"], stdout, stderr);
        return (code, stdout + "\n" + stderr);
    }

    /// <summary>Runs a shell command in the example's image; stdout.</summary>
    public string InContainer(string name, string script, string? user = null)
    {
        var args = new List<string> { "run", "--rm" };
        args.AddRange(RunFlags);
        if (user is not null) args.AddRange(["--user", user]);
        args.AddRange([_tags[name], "/bin/sh", "-c", script]);
        return Sh.Run("podman", args.ToArray()).Ok($"podman run {name}: {script}").Stdout;
    }

    public ValueTask DisposeAsync()
    {
        foreach (var tag in _tags.Values) Sh.Run("podman", "rmi", "-f", tag);
        Directory.Delete(WorkDir, recursive: true);
        return ValueTask.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class ExampleImagesCollection : ICollectionFixture<ExampleImages>
{
    public const string Name = "example images";
}
