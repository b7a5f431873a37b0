using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Recipes;
using Bootstrapper.Engine;
using Bootstrapper.Engine.Families.Debian.Finalize;
using Bootstrapper.Engine.Pipeline;
using Bootstrapper.Tests.Fixtures;

namespace Bootstrapper.Tests.Scenarios.Rebuilds;

/// <summary>
/// `snapshot` (recipe) and --snapshot read every source from a snapshot service laid out as
/// /archive/ARCHIVE/YYYYMMDDTHHMMSSZ/, whose URL template comes from --snapshot-url or BOOTSTRAP_SNAPSHOT_URL;
/// a snapshot's Release is long expired, which the snapshot accepts with a warning.
/// </summary>
public sealed class SnapshotTests : IDisposable
{
    private readonly RebuildWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    /// <summary>An expired repository served where a snapshot service keeps 2026-11-01T00:00:00Z of "debian".</summary>
    private static RepositoryServer SnapshotServer()
    {
        var repo = RebuildWorkspace.Repository();
        repo.Date = new DateTimeOffset(2026, 10, 31, 20, 0, 0, TimeSpan.Zero);
        repo.ValidUntil = new DateTimeOffset(2026, 11, 7, 20, 0, 0, TimeSpan.Zero);
        return new RepositoryServer(repo.BuildFiles(), "/archive/debian/20261101T000000Z");
    }

    private static string Template(RepositoryServer server) =>
        server.BaseUrl[..server.BaseUrl.IndexOf("/archive/", StringComparison.Ordinal)] + "/archive/{archive}/{timestamp}";

    private Task<(int Code, string Stdout, string Stderr)> PlanAsync(params string[] extra) =>
        RebuildWorkspace.RunAsync(["plan", _ws.RecipePath, "--json", "--keyring", _ws.FixtureKeyring, "--cache", _ws.Cache(), .. extra]);

    [Fact]
    public async Task Snapshot_option_reads_every_source_from_the_snapshot_service()
    {
        using var server = SnapshotServer();
        var (code, stdout, stderr) = await PlanAsync("--snapshot", "2026-11-01T00:00:00Z", "--snapshot-url", Template(server));
        Assert.True(code == 0, stderr);
        Assert.Contains($"\"repository\": \"{server.BaseUrl}\"", stdout);
        Assert.Contains($"\"url\": \"{server.BaseUrl}/dists/bookworm/InRelease\"", stdout);
    }

    [Fact]
    public async Task The_recipe_snapshot_accepts_the_expired_release_with_a_warning()
    {
        using var server = SnapshotServer();
        File.WriteAllText(_ws.RecipePath, "snapshot = \"2026-11-01T00:00:00Z\"\n" + File.ReadAllText(_ws.RecipePath));
        var reporter = new RecordingReporter();
        var options = new BuildOptions
        {
            ExtraKeyrings = [_ws.FixtureKeyring],
            CacheDirectory = _ws.Cache(),
            Environment = new Dictionary<string, string> { ["BOOTSTRAP_SNAPSHOT_URL"] = Template(server) },
        };
        var plan = await ImageBuilder.PlanAsync(RecipeLoader.Load(_ws.RecipePath), options, reporter, default);
        Assert.All(plan.Packages, p => Assert.Equal(server.BaseUrl, p.RepositoryUrl));
        Assert.EndsWith("UTC); accepted because of the snapshot 2026-11-01T00:00:00Z (the signature was verified)", Assert.Single(reporter.Lines));
    }

    [Fact]
    public async Task A_snapshot_without_a_service_is_a_usage_error()
    {
        var (code, _, stderr) = await PlanAsync("--snapshot", "2026-11-01T00:00:00Z");
        Assert.Equal(ExitCodes.UsageOrRecipe, code);
        Assert.Contains("error: snapshot 2026-11-01T00:00:00Z: no snapshot service is configured; give its URL template with " +
                        "--snapshot-url or BOOTSTRAP_SNAPSHOT_URL, e.g. http://snapshot.internal/archive/{archive}/{timestamp}", stderr);
    }

    [Fact]
    public async Task A_malformed_snapshot_time_is_a_usage_error()
    {
        var (code, _, stderr) = await PlanAsync("--snapshot", "2026-11-01");
        Assert.Equal(ExitCodes.UsageOrRecipe, code);
        Assert.Contains("error: --snapshot '2026-11-01' is not a UTC time of the form 2026-11-01T00:00:00Z", stderr);
    }

    [Fact]
    public void The_image_sources_of_a_snapshot_name_it_and_do_not_check_valid_until()
    {
        var text = FinalizeAptSources.Render([
            new AptSource(["deb"], ["http://snapshot.internal/archive/debian/20261101T000000Z"], ["bookworm"], ["main"],
                "/usr/share/keyrings/debian-archive-keyring.gpg") { CheckValidUntil = false },
        ]);
        Assert.Equal("Types: deb\nURIs: http://snapshot.internal/archive/debian/20261101T000000Z\nSuites: bookworm\n" +
                     "Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\nCheck-Valid-Until: no\n", text);
    }
}
