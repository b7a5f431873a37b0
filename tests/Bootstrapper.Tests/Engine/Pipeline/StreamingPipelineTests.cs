using System.Security.Cryptography;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Planning;
using Bootstrapper.Core.Recipes;
using Bootstrapper.Engine.Pipeline;
using Bootstrapper.Tests.Fixtures;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Bootstrapper.Tests.Engine.Pipeline;

/// <summary>
/// The pipeline runs the download and the install side by side: the install gets each package's file as soon as it
/// is verified. Driven through <see cref="BuildPipeline"/> with a stand-in family (the seam every family uses), over a
/// mirror on 127.0.0.1 that answers one package late.
/// </summary>
public sealed class StreamingPipelineTests : IDisposable
{
    private static readonly TimeSpan Late = TimeSpan.FromSeconds(1.5);
    private readonly string _work = Directory.CreateTempSubdirectory("bootstrap-streaming-").FullName;
    private readonly WireMockServer _mirror = WireMockServer.Start();
    private readonly byte[] _early = RandomNumberGenerator.GetBytes(4096);
    private readonly byte[] _late = RandomNumberGenerator.GetBytes(4096);

    public StreamingPipelineTests()
    {
        Serve("early.deb", _early, TimeSpan.Zero);
        Serve("late.deb", _late, Late);
    }

    public void Dispose()
    {
        _mirror.Stop();
        Directory.Delete(_work, recursive: true);
    }

    [RootFact]
    public async Task The_install_starts_on_a_verified_file_while_another_is_still_downloading()
    {
        var family = new StandInFamily(Package("early", _early), Package("late", _late));
        var result = await BuildPipeline.BuildAsync(family, Recipe(), Options(), NullReporter.Instance, default);

        // When the install had the early file, the late one was not there yet: the install did not wait for the
        // whole download.
        Assert.Equal([("early", false)], family.Seen);
        Assert.True(File.Exists(result.ImagePath));
        Assert.Equal(2, result.PackageCount);
    }

    [RootFact]
    public async Task A_download_that_fails_ends_the_waiting_install_with_the_download_error()
    {
        _mirror.Given(Request.Create().WithPath("/debian/late.deb")).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(404).WithDelay(Late));
        var family = new StandInFamily(Package("early", _early), Package("late", _late));

        var e = await Assert.ThrowsAsync<FetchException>(() =>
            BuildPipeline.BuildAsync(family, Recipe(), Options(), NullReporter.Instance, default));

        Assert.Contains("late.deb", e.Message);
        Assert.Equal([("early", false)], family.Seen);
        // The install's wait ended with the download (its failure or the stop that follows it), it did not hang.
        Assert.True(family.WaitEnded is FetchException or OperationCanceledException, family.WaitEnded?.ToString());
        Assert.Empty(Directory.GetFiles(_work, "*.part", SearchOption.AllDirectories));
        Assert.False(File.Exists(Path.Combine(_work, "out.tar")));
    }

    [RootFact]
    public async Task An_install_that_fails_first_lets_the_download_finish_and_reports_the_install_error()
    {
        var family = new StandInFamily(Package("early", _early), Package("late", _late)) { FailAfterEarly = true };

        var e = await Assert.ThrowsAsync<InstallException>(() =>
            BuildPipeline.BuildAsync(family, Recipe(), Options(), NullReporter.Instance, default));

        Assert.Equal("stand-in install failed", e.Message);
        // The download ended by itself: the late file is verified in the cache, nothing half-written is left.
        Assert.Single(Directory.GetFiles(Path.Combine(_work, "cache"), "*.deb", SearchOption.AllDirectories),
            f => File.ReadAllBytes(f).SequenceEqual(_late));
        Assert.Empty(Directory.GetFiles(_work, "*.part", SearchOption.AllDirectories));
        Assert.False(File.Exists(Path.Combine(_work, "out.tar")));
    }

    private void Serve(string name, byte[] data, TimeSpan delay)
    {
        var response = Response.Create().WithStatusCode(200).WithBody(data);
        if (delay > TimeSpan.Zero) response = response.WithDelay(delay);
        _mirror.Given(Request.Create().WithPath("/debian/" + name).UsingGet()).AtPriority(100).RespondWith(response);
    }

    private PlannedPackage Package(string name, byte[] data) => new()
    {
        Name = name,
        Version = "1.0",
        Architecture = "amd64",
        Size = data.Length,
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(data)),
        Filename = name + ".deb",
        RepositoryUrl = _mirror.Urls[0] + "/debian",
        Reason = "test",
    };

    private Recipe Recipe() => new()
    {
        SourcePath = Path.Combine(_work, "stand-in.toml"),
        Name = "stand-in",
        Family = DistroFamily.Debian,
        Architecture = "amd64",
        Sources = [],
        Keyrings = [],
        Packages = new PackageSelection(),
        Output = new OutputSettings { Path = Path.Combine(_work, "out.tar") },
    };

    private BuildOptions Options() => new()
    {
        CacheDirectory = Path.Combine(_work, "cache"),
        SourceDateEpoch = 1700000000,
        Environment = new Dictionary<string, string>(),
    };

    /// <summary>Plans the given packages; its install takes the files in plan order and notes, for each, whether the
    /// next one was already there.</summary>
    private sealed class StandInFamily(params PlannedPackage[] packages) : IDistroFamily
    {
        public List<(string Name, bool NextThere)> Seen { get; } = [];
        public bool FailAfterEarly { get; init; }
        public Exception? WaitEnded { get; private set; }

        public Task<FamilyPlan> PlanAsync(BuildSession session, CancellationToken ct) =>
            Task.FromResult<FamilyPlan>(new StandInPlan(this, new Plan { Recipe = session.Recipe, Packages = packages, Indices = [] }));

        private sealed class StandInPlan(StandInFamily family, Plan plan) : FamilyPlan(plan)
        {
            public override async Task<InstallOutcome> InstallAsync(BuildSession session, PackageFiles files, string root,
                CancellationToken ct)
            {
                Directory.CreateDirectory(root);
                var first = Plan.Packages[0];
                var next = Plan.Packages[1];
                await files.GetAsync(first, ct);
                family.Seen.Add((first.Name, files.GetAsync(next, ct).IsCompleted));
                if (family.FailAfterEarly) throw new InstallException("stand-in install failed");
                try
                {
                    await files.GetAsync(next, ct);
                }
                catch (Exception e)
                {
                    family.WaitEnded = e;
                    throw;
                }
                File.WriteAllText(Path.Combine(root, "installed"), string.Join(",", Plan.Packages.Select(p => p.Name)));
                return new InstallOutcome();
            }

            public override IReadOnlyList<Bootstrapper.Engine.Net.Bundles.BundleSuite> BundleSuites(BuildSession session) => [];
        }
    }
}
