using Bootstrapper.Cli.Commands;

namespace Bootstrapper.EndToEnd.Build;

/// <summary>
/// Builds recipes/debian-bookworm.toml once (from the host's apt mirror, as the README's first command does) for all
/// tests in the collection, with a fixed SOURCE_DATE_EPOCH so a second build can be compared byte for byte.
/// </summary>
public sealed class BookwormImageFixture : IAsyncLifetime
{
    public const long Epoch = 1700000000;
    public string WorkDir { get; } = Directory.CreateTempSubdirectory("bootstrap-e2e-").FullName;
    public string ImagePath => Path.Combine(WorkDir, "bookworm.tar");
    public string ManifestPath => ImagePath + ".manifest.json";
    /// <summary>Shared by every end-to-end build in this run, so only the first build downloads.</summary>
    public static string CacheDir { get; } = Path.Combine(Path.GetTempPath(), "bootstrap-e2e-cache");
    public string BuildLog { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        var (code, log) = await BuildAsync(ImagePath);
        BuildLog = log;
        if (code != 0)
            throw new InvalidOperationException($"bootstrap exited with {code}:\n{log}");
    }

    /// <summary>Runs `bootstrap recipes/debian-bookworm.toml -o OUT` in-process, as a user would from the shell.</summary>
    public static async Task<(int Code, string Log)> BuildAsync(string output, params string[] extra)
    {
        var recipe = Path.Combine(RepoRoot.Path, "recipes", "debian-bookworm.toml");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var args = new List<string> { recipe, "-o", output, "--cache", CacheDir, "--source-date-epoch", Epoch.ToString() };
        args.AddRange(extra);
        var code = await CliApp.RunAsync(args.ToArray(), stdout, stderr);
        return (code, stdout + "\n" + stderr);
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(WorkDir, recursive: true);
        return ValueTask.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class BookwormImageCollection : ICollectionFixture<BookwormImageFixture>
{
    public const string Name = "bookworm image";
}
