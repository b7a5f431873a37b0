using Bootstrapper.Core.Planning;
using Bootstrapper.Core.Recipes;
using Bootstrapper.Engine;
using Bootstrapper.Engine.Pipeline;
using Bootstrapper.Tests.Fixtures;

namespace Bootstrapper.Tests.Scenarios.Rebuilds;

/// <summary>
/// A plan snapshots the package universe it read (CACHE/debian/universe/KEY); the next plan over the same indices
/// uses the snapshot, and a damaged snapshot is simply read around and replaced.
/// </summary>
public sealed class UniverseSnapshotPlanTests : IDisposable
{
    private readonly RebuildWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    private BuildOptions Options(string mirror) => new()
    {
        MirrorOverride = mirror,
        CacheDirectory = _ws.Cache(),
        ExtraKeyrings = [_ws.FixtureKeyring],
        Environment = new Dictionary<string, string>(),
    };

    private static string Describe(Plan plan) => string.Join("\n", plan.Packages.Select(p =>
        $"{p.Name} {p.Version} {p.Architecture} {p.Size} {p.Sha256} {p.Filename} {p.RepositoryUrl} {p.Reason} " +
        $"{p.Source} {p.InstalledSizeKiB}"));

    /// <summary>Keeps the verbose lines, to tell a plan that used the snapshot from one that read the indices.</summary>
    private sealed class VerboseLines : IBuildReporter
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Lines { get; } = new();
        public bool UsedSnapshot => Lines.Any(l => l.StartsWith("package universe: snapshot ", StringComparison.Ordinal));
        public void PhaseStarted(string phase, string detail) { }
        public void PhaseFinished(string phase, TimeSpan elapsed, string summary) { }
        public void Progress(string phase, long done, long total, string unit) { }
        public void Info(string message) { }
        public void Verbose(string message) => Lines.Enqueue(message);
        public void Warning(string message) { }
    }

    [Fact]
    public async Task The_second_plan_uses_the_snapshot_and_a_damaged_one_is_replaced()
    {
        using var server = new RepositoryServer(RebuildWorkspace.Repository());
        var recipe = RecipeLoader.Load(_ws.RecipePath);
        var reporter = new VerboseLines();
        var first = await ImageBuilder.PlanAsync(recipe, Options(server.BaseUrl), reporter, default);
        Assert.False(reporter.UsedSnapshot);
        var snapshot = Assert.Single(Directory.GetFiles(Path.Combine(_ws.Cache(), "debian", "universe")));
        var written = File.ReadAllBytes(snapshot);

        File.SetLastWriteTimeUtc(snapshot, DateTime.UtcNow.AddDays(-2));
        reporter = new VerboseLines();
        var second = await ImageBuilder.PlanAsync(recipe, Options(server.BaseUrl), reporter, default);
        Assert.True(reporter.UsedSnapshot);
        Assert.Equal(Describe(first), Describe(second));
        Assert.True(File.GetLastWriteTimeUtc(snapshot) > DateTime.UtcNow.AddHours(-1)); // read, hence marked as used

        File.WriteAllBytes(snapshot, written[..^10]);
        reporter = new VerboseLines();
        var third = await ImageBuilder.PlanAsync(recipe, Options(server.BaseUrl), reporter, default);
        Assert.False(reporter.UsedSnapshot);
        Assert.Equal(Describe(first), Describe(third));
        Assert.Equal(written, File.ReadAllBytes(snapshot));
    }
}
