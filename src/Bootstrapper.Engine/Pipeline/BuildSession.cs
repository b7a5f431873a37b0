using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Planning;
using Bootstrapper.Core.Recipes;
using Bootstrapper.Engine.Net.Http;
using Bootstrapper.Engine.Os.Files;
using Bootstrapper.Engine.Os.Native;

namespace Bootstrapper.Engine.Pipeline;

/// <summary>Everything one build or plan run shares: the recipe, options, where to report, where to cache.</summary>
internal sealed class BuildSession : IDisposable
{
    public BuildSession(Recipe recipe, BuildOptions options, IBuildReporter reporter)
    {
        Recipe = recipe;
        Options = options;
        Reporter = reporter;
        // Every command writes verified indices (and a build, packages) there: say now, before fetching anything.
        WritableFolder.Require(options.CacheDirectory, "the cache folder", "give one you can write to with --cache DIR");
        Keyrings = recipe.Keyrings.Concat(options.ExtraKeyrings).ToList();
        Downloader = new Downloader(DownloaderOptions.FromEnvironment(options.Environment) with { OnRetry = r => reporter.Warning($"retrying {r.Url} (attempt {r.Attempt + 1} of {r.MaxAttempts}): {r.Reason}") });
        foreach (var k in Keyrings)
            if (!File.Exists(k) && !Directory.Exists(k))
                throw new RecipeException($"keyring '{k}' does not exist");
    }

    public Recipe Recipe { get; }
    /// <summary>True for `build` (an image is written); false for plan, lock and fetch.</summary>
    public bool BuildsImage { get; init; }
    public BuildOptions Options { get; }
    public IBuildReporter Reporter { get; }
    /// <summary>The recipe's keyrings plus --keyring ones (absolute paths).</summary>
    public IReadOnlyList<string> Keyrings { get; }
    /// <summary>
    /// --source-date-epoch / SOURCE_DATE_EPOCH, else the recipe's, else <see cref="IndexEpoch"/> (once the plan set
    /// it); null: no clamping.
    /// </summary>
    public long? SourceDateEpoch => Options.SourceDateEpoch ?? Recipe.Output.SourceDateEpoch ?? IndexEpoch?.Seconds;

    /// <summary>
    /// The default epoch: the newest Date among the verified indices the plan used, and the index that gave it. Two
    /// builds from the same indices then clamp to the same time, so they give the same bytes without an epoch.
    /// </summary>
    public (long Seconds, string Url)? IndexEpoch { get; private set; }

    /// <summary>Takes the default epoch from the plan's indices (when no epoch was given and one has a Date).</summary>
    public void TakeIndexEpoch(Plan plan)
    {
        if (Options.SourceDateEpoch is not null || Recipe.Output.SourceDateEpoch is not null) return;
        var newest = plan.Indices.Where(i => i.Released is not null).MaxBy(i => i.Released);
        if (newest is null) return;
        IndexEpoch = (newest.Released!.Value.ToUnixTimeSeconds(), newest.Url);
        Reporter.Verbose($"SOURCE_DATE_EPOCH {IndexEpoch.Value.Seconds}: the Date of {newest.Url}, the newest index");
    }

    /// <summary>--snapshot, else the recipe's `snapshot`: the time every source is read at, from a snapshot service.</summary>
    public DateTimeOffset? Snapshot => Options.Snapshot ?? Recipe.Snapshot;

    /// <summary>
    /// Why an index of <paramref name="source"/> past its Valid-Until may be used (null: it may not). A lock's hashes
    /// or a bundle pin the content, and a snapshot is old by design, so those accept expiry as the options do.
    /// </summary>
    public string? ExpiryAcceptedBy(RecipeSource source) =>
        Options.NoCheckValidUntil ? "--no-check-valid-until"
        : !source.CheckValidUntil ? $"check_valid_until = false (suite {source.Suite})"
        : Options.Locked is not null ? "--locked (the lock's hashes pin every package)"
        : Options.Offline ? "--offline (the cache or bundle pins the content)"
        : Snapshot is not null ? $"the snapshot {SnapshotTime.Format(Snapshot.Value)}"
        : null;

    /// <summary>Every download of the run goes through this one (retries, size and hash checks, file:// too).</summary>
    public Downloader Downloader { get; }
    public string IndexCache => Path.Combine(Options.CacheDirectory, "indices");
    public string PackageCache => Path.Combine(Options.CacheDirectory, "packages");
    /// <summary>Phase timings, in order, for verbose output and the manifest.</summary>
    public List<(string Phase, TimeSpan Elapsed)> Timings { get; } = [];

    /// <summary>Runs one named phase, reporting its start, end and duration.</summary>
    public async Task<T> PhaseAsync<T>(string phase, string detail, Func<Task<T>> work, Func<T, string>? summary = null)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var cpu = CpuUsage.Now();
        Reporter.PhaseStarted(phase, detail);
        var result = await work().ConfigureAwait(false);
        sw.Stop();
        Timings.Add((phase, sw.Elapsed));
        var after = CpuUsage.Now();
        Reporter.Verbose($"{phase}: cpu {(after.Self - cpu.Self).TotalSeconds:F2} s ours + " +
                         $"{(after.Children - cpu.Children).TotalSeconds:F2} s child processes, wall {sw.Elapsed.TotalSeconds:F2} s");
        Reporter.PhaseFinished(phase, sw.Elapsed, summary?.Invoke(result) ?? "");
        return result;
    }

    public async Task PhaseAsync(string phase, string detail, Func<Task> work) =>
        await PhaseAsync(phase, detail, async () => { await work().ConfigureAwait(false); return true; }).ConfigureAwait(false);

    public void Dispose() => Downloader.Dispose();
}
