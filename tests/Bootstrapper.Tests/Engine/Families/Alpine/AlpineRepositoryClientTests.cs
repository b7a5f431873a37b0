using System.Runtime.Versioning;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Planning;
using Bootstrapper.Core.Recipes;
using Bootstrapper.Engine.Families.Alpine;
using Bootstrapper.Engine.Net.Http;
using Bootstrapper.Engine.Pipeline;
using Bootstrapper.Tests.Fixtures.Alpine;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Bootstrapper.Tests.Engine.Families.Alpine;

/// <summary>The generated repository served over HTTP on 127.0.0.1 (WireMock), then planned and installed.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class AlpineRepositoryClientTests : IDisposable
{
    private readonly FixtureRepository _repo = new();
    private readonly WireMockServer _server = WireMockServer.Start();
    private readonly Downloader _http = new(DownloaderOptions.FastRetries);

    public AlpineRepositoryClientTests()
    {
        _repo.Publish("v3.23", "main",
        [
            new FixturePackage { Name = "musl", Version = "1.2.5-r10", Provides = "so:libc.musl-x86_64.so.1=1",
                Files = [FixtureEntry.Dir("lib"), FixtureEntry.File("lib/libc.txt", "musl")] },
            new FixturePackage { Name = "alpine-base", Version = "3.23.0-r0", Depends = "so:libc.musl-x86_64.so.1 tool",
                Files = [FixtureEntry.Dir("etc"), FixtureEntry.File("etc/alpine-release", "3.23.0\n")] },
        ]);
        _repo.Publish("v3.23", "community",
        [
            new FixturePackage { Name = "tool", Version = "1-r0", Files = [FixtureEntry.Dir("usr"), FixtureEntry.File("usr/tool", "t")] },
        ], sha256Index: true);
        foreach (var file in Directory.EnumerateFiles(_repo.Directory, "*", SearchOption.AllDirectories))
        {
            var path = "/alpine/" + Path.GetRelativePath(_repo.Directory, file);
            _server.Given(Request.Create().WithPath(path).UsingGet())
                .RespondWith(Response.Create().WithBody(File.ReadAllBytes(file)));
        }
    }

    public void Dispose()
    {
        _server.Stop();
        _http.Dispose();
        _repo.Dispose();
    }

    private string Mirror => _server.Url + "/alpine";

    [Fact]
    public async Task Fetches_and_verifies_index_over_http()
    {
        var client = new AlpineRepositoryClient(_http);
        var index = await client.FetchAsync(Mirror, "v3.23", "main", "x86_64", _repo.Signer.Keyring(), 0, CancellationToken.None);
        Assert.Equal(["musl", "alpine-base"], index.Packages.Select(p => p.Name));
        Assert.Equal($"{Mirror}/v3.23/main/x86_64", index.Packages[0].RepositoryUrl);
    }

    [Fact]
    public async Task Missing_index_is_a_fetch_error_naming_the_url()
    {
        var client = new AlpineRepositoryClient(_http);
        var e = await Assert.ThrowsAsync<FetchException>(() =>
            client.FetchAsync(Mirror, "v3.99", "main", "x86_64", _repo.Signer.Keyring(), 0, CancellationToken.None));
        Assert.StartsWith($"{Mirror}/v3.99/main/x86_64/APKINDEX.tar.gz: not found (HTTP 404)", e.Message);
    }

    [Fact]
    public async Task Truncated_package_download_is_rejected()
    {
        var (info, path) = _repo.Packages.Single(p => p.Info.Name == "musl");
        var bytes = File.ReadAllBytes(path);
        _server.Given(Request.Create().WithPath("/short/musl-1.2.5-r10.apk").UsingGet())
            .RespondWith(Response.Create().WithBody(bytes[..(bytes.Length - 40)]));
        var client = new AlpineRepositoryClient(_http);
        var dest = Path.Combine(_repo.Directory, "dl.apk");
        var e = await Assert.ThrowsAsync<VerificationException>(() => client.DownloadPackageAsync(
            info with { RepositoryUrl = _server.Url + "/short" }, _repo.Signer.Keyring(), dest, CancellationToken.None));
        Assert.Contains("short/musl-1.2.5-r10.apk", e.Message);
        Assert.False(File.Exists(dest));
    }

    [Fact]
    public async Task Excluded_dependency_fails_the_plan_with_the_chain()
    {
        var keyDir = Directory.CreateDirectory(Path.Combine(_repo.Directory, "keys-x")).FullName;
        File.WriteAllText(Path.Combine(keyDir, _repo.Signer.Name), _repo.Signer.PublicPem);
        var recipe = new Recipe
        {
            SourcePath = Path.Combine(_repo.Directory, "r.toml"),
            Name = "x",
            Family = DistroFamily.Alpine,
            Architecture = "x86_64",
            Keyrings = [keyDir],
            Sources = [new RecipeSource { Suite = "v3.23", Components = ["main", "community"], Archive = "alpine" }],
            Packages = new PackageSelection { Include = ["alpine-base"], Exclude = ["tool"] },
            Output = new OutputSettings { Path = Path.Combine(_repo.Directory, "x.tar") },
        };
        using var session = new BuildSession(recipe, new BuildOptions
        {
            Environment = new Dictionary<string, string> { ["BOOTSTRAP_MIRROR"] = Mirror },
            CacheDirectory = Path.Combine(_repo.Directory, "cache-x"),
        }, NullReporter.Instance);
        var e = await Assert.ThrowsAsync<ResolutionException>(() => new AlpineFamily().PlanAsync(session, CancellationToken.None));
        Assert.Equal("Cannot resolve the Alpine package set: world -> alpine-base-3.23.0-r0 needs 'tool', but every " +
                     "provider is excluded: tool-1-r0: conflicts with '!tool' of world.", e.Message);
    }

    [Fact]
    public async Task Offline_uses_the_verified_index_cache()
    {
        var cache = Path.Combine(_repo.Directory, "index-cache");
        var online = new AlpineRepositoryClient(_http, cache);
        await online.FetchAsync(Mirror, "v3.23", "main", "x86_64", _repo.Signer.Keyring(), 0, CancellationToken.None);
        _server.Stop();
        var offline = new AlpineRepositoryClient(_http, cache, offline: true);
        var index = await offline.FetchAsync(Mirror, "v3.23", "main", "x86_64", _repo.Signer.Keyring(), 0, CancellationToken.None);
        Assert.Equal(2, index.Packages.Count);
        var e = await Assert.ThrowsAsync<FetchException>(() =>
            offline.FetchAsync(Mirror, "v3.23", "community", "x86_64", _repo.Signer.Keyring(), 1, CancellationToken.None));
        Assert.StartsWith("--offline:", e.Message);
    }

    [Fact]
    public async Task Family_plans_across_repositories_and_installs()
    {
        var keyDir = Directory.CreateDirectory(Path.Combine(_repo.Directory, "keys")).FullName;
        File.WriteAllText(Path.Combine(keyDir, _repo.Signer.Name), _repo.Signer.PublicPem);
        var recipe = new Recipe
        {
            SourcePath = Path.Combine(_repo.Directory, "r.toml"),
            Name = "alpine-test",
            Family = DistroFamily.Alpine,
            Architecture = "x86_64",
            Sources = [new RecipeSource { Suite = "v3.23", Components = ["main", "community"], Archive = "alpine" }],
            Keyrings = [keyDir],
            Packages = new PackageSelection { Include = ["alpine-base"] },
            Output = new OutputSettings { Path = Path.Combine(_repo.Directory, "out.tar") },
        };
        using var session = new BuildSession(recipe, new BuildOptions
        {
            Environment = new Dictionary<string, string> { ["BOOTSTRAP_MIRROR_ALPINE"] = Mirror },
            CacheDirectory = Path.Combine(_repo.Directory, "cache"),
        }, NullReporter.Instance);
        var family = new AlpineFamily();

        var familyPlan = (AlpinePlan)await family.PlanAsync(session, CancellationToken.None);
        var plan = familyPlan.Plan;

        Assert.Equal(["musl", "tool", "alpine-base"], plan.Packages.Select(p => p.Name));
        Assert.Equal(["depends of alpine-base", "depends of alpine-base", "world"], plan.Packages.Select(p => p.Reason));
        Assert.Equal($"{Mirror}/v3.23/community/x86_64", plan.Packages[1].RepositoryUrl);
        Assert.All(plan.Indices, i => Assert.Equal([_repo.Signer.Name], i.SignedBy));

        var files = new Dictionary<PlannedPackage, string>();
        var client = new AlpineRepositoryClient(_http);
        Assert.All(plan.Packages, p => Assert.Matches("^[0-9a-f]{40}$", p.CacheKey));
        foreach (var p in plan.Packages)
        {
            var info = familyPlan.Entries[p.Name] with { RepositoryUrl = p.RepositoryUrl };
            var dest = Path.Combine(_repo.Directory, p.Filename);
            await client.DownloadPackageAsync(info, _repo.Signer.Keyring(), dest, CancellationToken.None);
            files[p] = dest;
        }
        var root = Path.Combine(_repo.Directory, "root");
        await familyPlan.InstallAsync(session, PackageFiles.Ready(files), root, CancellationToken.None);

        Assert.Equal("3.23.0\n", File.ReadAllText(Path.Combine(root, "etc/alpine-release")));
        Assert.Equal($"{Mirror}/v3.23/main\n{Mirror}/v3.23/community\n", File.ReadAllText(Path.Combine(root, "etc/apk/repositories")));
        Assert.Equal("alpine-base\n", File.ReadAllText(Path.Combine(root, "etc/apk/world")));
        Assert.Contains("P:tool\n", File.ReadAllText(Path.Combine(root, "lib/apk/db/installed")));
    }
}
