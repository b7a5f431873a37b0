using Bootstrapper.Cli.Commands;
using Bootstrapper.EndToEnd.Build;

namespace Bootstrapper.EndToEnd.Oci;

/// <summary>
/// recipes/debian-bookworm.toml plus an [image] table (cmd, an env entry, a label), built from the host's mirror
/// twice to .oci.tar and once to a plain .tar, with one SOURCE_DATE_EPOCH.
/// </summary>
public sealed class HelloOciFixture : IAsyncLifetime
{
    public string Work { get; } = Directory.CreateTempSubdirectory("oci-e2e-").FullName;
    public string Recipe => Path.Combine(Work, "hello-oci.toml");
    public string First => Path.Combine(Work, "first.oci.tar");
    public string Second => Path.Combine(Work, "second.oci.tar");
    public string Plain => Path.Combine(Work, "plain.tar");

    public async ValueTask InitializeAsync()
    {
        var bookworm = await File.ReadAllTextAsync(Path.Combine(RepoRoot.Path, "recipes", "debian-bookworm.toml"));
        await File.WriteAllTextAsync(Recipe, bookworm
            .Replace("name = \"debian-bookworm\"", "name = \"hello-oci\"")
            .Replace("keys/", Path.Combine(RepoRoot.Path, "recipes", "keys") + "/")
            // The recipe's own [image] table (container_config) gets the OCI config added to it.
            .Replace("[image]\ncontainer_config = true\n", "") + """

            [image]
            container_config = true
            cmd = ["/bin/sh", "-c", "echo hello-from-oci"]
            env = { GREETING = "hello" }
            labels = { "org.example.team" = "platform" }
            version = "12"
            """);
        foreach (var output in new[] { First, Second, Plain }) await RunAsync(Recipe, "-o", output);
    }

    /// <summary>Runs the CLI in-process; returns stdout, or fails with everything it printed.</summary>
    public static async Task<string> RunAsync(params string[] args)
    {
        var (code, stdout, stderr) = await TryRunAsync(args);
        if (code != 0) throw new InvalidOperationException($"bootstrap {string.Join(' ', args)} exited with {code}:\n{stdout}\n{stderr}");
        return stdout;
    }

    public static async Task<(int Code, string Stdout, string Stderr)> TryRunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var all = args[0] == "push" ? args : [.. args, "--cache", BookwormImageFixture.CacheDir, "--source-date-epoch", BookwormImageFixture.Epoch.ToString()];
        var code = await CliApp.RunAsync(all, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(Work, recursive: true);
        return ValueTask.CompletedTask;
    }
}
