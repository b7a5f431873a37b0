using Bootstrapper.Core.Recipes;

namespace Bootstrapper.Engine.Build;

/// <summary>Everything one build or plan run shares: the recipe, options, where to report, where to cache.</summary>
public sealed class BuildSession : IDisposable
{
    public BuildSession(Recipe recipe, BuildOptions options, IBuildReporter reporter)
    {
        Recipe = recipe;
        Options = options;
        Reporter = reporter;
        Keyrings = recipe.Keyrings.Concat(options.ExtraKeyrings).ToList();
        Downloader = new Http.Downloader(Http.DownloaderOptions.FromEnvironment() with { OnRetry = r => reporter.Warning($"retrying {r.Url} (attempt {r.Attempt + 1} of {r.MaxAttempts}): {r.Reason}") });
        foreach (var k in Keyrings)
            if (!File.Exists(k) && !Directory.Exists(k))
                throw new Core.Errors.RecipeException($"keyring '{k}' does not exist");
    }

    public Recipe Recipe { get; }
    public BuildOptions Options { get; }
    public IBuildReporter Reporter { get; }
    /// <summary>The recipe's keyrings plus --keyring ones (absolute paths).</summary>
    public IReadOnlyList<string> Keyrings { get; }
    /// <summary>--source-date-epoch / SOURCE_DATE_EPOCH, else the recipe's; null: no clamping.</summary>
    public long? SourceDateEpoch => Options.SourceDateEpoch ?? Recipe.Output.SourceDateEpoch;

    /// <summary>Every download of the run goes through this one (retries, size and hash checks, file:// too).</summary>
    public Http.Downloader Downloader { get; }
    public string IndexCache => Path.Combine(Options.CacheDirectory, "indices");
    public string PackageCache => Path.Combine(Options.CacheDirectory, "packages");
    /// <summary>Phase timings, in order, for verbose output and the manifest.</summary>
    public List<(string Phase, TimeSpan Elapsed)> Timings { get; } = [];

    /// <summary>Runs one named phase, reporting its start, end and duration.</summary>
    public async Task<T> PhaseAsync<T>(string phase, string detail, Func<Task<T>> work, Func<T, string>? summary = null)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        Reporter.PhaseStarted(phase, detail);
        var result = await work().ConfigureAwait(false);
        sw.Stop();
        Timings.Add((phase, sw.Elapsed));
        Reporter.PhaseFinished(phase, sw.Elapsed, summary?.Invoke(result) ?? "");
        return result;
    }

    public async Task PhaseAsync(string phase, string detail, Func<Task> work) =>
        await PhaseAsync<bool>(phase, detail, async () => { await work().ConfigureAwait(false); return true; });

    public void Dispose() => Downloader.Dispose();
}
