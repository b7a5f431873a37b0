using Bootstrapper.Cli.Commands;
using Bootstrapper.EndToEnd.Build;

namespace Bootstrapper.EndToEnd.Rebuilds;

/// <summary>
/// The air-gapped workflow of the README, for real: bundle the bookworm recipe from the host's mirror, build it
/// online, then build it again from the bundle alone inside a network namespace without any network (`unshare
/// --net`) and with an empty cache. Same SOURCE_DATE_EPOCH, same packages: the two images must be byte-identical,
/// and the offline image's apt sources must name the original mirror, not the bundle. A `--locked` build from the
/// same bundle (the lock written just before) must give the same image too.
/// </summary>
public sealed class AirGappedRebuildTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("bootstrap-airgap-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    /// <summary>A copy of the recipe (and its keyring), so that its lock file is written here, not in the repository.</summary>
    private string CopyRecipe()
    {
        var recipes = Path.Combine(_work, "recipes");
        Directory.CreateDirectory(Path.Combine(recipes, "keys"));
        foreach (var file in new[] { "debian-bookworm.toml", "keys/debian-archive-keyring.gpg" })
            File.Copy(Path.Combine(RepoRoot.Path, "recipes", file), Path.Combine(recipes, file));
        return Path.Combine(recipes, "debian-bookworm.toml");
    }

    private static async Task CliAsync(params string[] args)
    {
        var log = new StringWriter();
        var code = await CliApp.RunAsync(args, log, log);
        Assert.True(code == 0, $"bootstrap {string.Join(' ', args)} exited with {code}:\n{log}");
    }

    private Sh.Result OfflineBuild(string recipe, string output, params string[] extra) =>
        Sh.RunWithTimeout(TimeSpan.FromMinutes(3), "unshare", ["--net", "--", .. BuiltCli.Command(),
            recipe, "-o", output, "--cache", Path.Combine(_work, "empty-cache-" + Path.GetFileNameWithoutExtension(output)),
            "--source-date-epoch", BookwormImageFixture.Epoch.ToString(),
            "--offline", "--mirror", new Uri(Path.Combine(_work, "bundle") + "/").AbsoluteUri, "-q", .. extra]);

    [Fact]
    public async Task Offline_build_from_a_bundle_in_a_netless_namespace_is_byte_identical_to_the_online_build()
    {
        var bundle = Path.Combine(_work, "bundle");
        var recipe = CopyRecipe();
        var cache = BookwormImageFixture.CacheDir;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        // Lock and bundle first, then the online build: all plan from the mirror within seconds of each other, so a
        // mirror update between them is unlikely (and would show in the manifest diff printed on failure).
        await CliAsync("lock", recipe, "--cache", cache, "-q");
        await CliAsync("fetch", recipe, "--cache", cache, "--bundle", bundle, "-q");
        output.WriteLine($"lock + fetch --bundle: {sw.Elapsed.TotalSeconds:0.0} s");

        var online = Path.Combine(_work, "online.tar");
        var (code, log) = await BookwormImageFixture.BuildAsync(online, "-q");
        Assert.True(code == 0, $"online build exited with {code}:\n{log}");
        output.WriteLine($"online build done at {sw.Elapsed.TotalSeconds:0.0} s");

        var offline = Path.Combine(_work, "offline.tar");
        var run = OfflineBuild(recipe, offline);
        Assert.True(run.ExitCode == 0, $"offline build exited with {run.ExitCode}:\n{run.Stdout}\n{run.Stderr}");
        output.WriteLine($"offline build done at {sw.Elapsed.TotalSeconds:0.0} s");
        var locked = Path.Combine(_work, "locked.tar");
        run = OfflineBuild(recipe, locked, "--locked");
        Assert.True(run.ExitCode == 0, $"offline --locked build exited with {run.ExitCode}:\n{run.Stdout}\n{run.Stderr}");
        output.WriteLine($"offline --locked build done at {sw.Elapsed.TotalSeconds:0.0} s");

        foreach (var other in new[] { offline, locked })
            if (BuiltCli.Sha256(online) != BuiltCli.Sha256(other))
            {
                var diff = new StringWriter();
                await CliApp.RunAsync(["diff", online, other], diff, diff);
                Assert.Fail($"{Path.GetFileName(other)} differs from the online image:\n{diff}");
            }
        // --mirror changes where packages come from, never what the image contains.
        var sources = Sh.Run("tar", "-xOf", offline, "./etc/apt/sources.list.d/debian.sources").Ok("tar").Stdout;
        Assert.DoesNotContain("file:", sources);
        Assert.DoesNotContain(bundle, sources);
        Assert.Contains("URIs: http", sources);
        // Every image has its SBOM beside it, naming each package by purl.
        foreach (var image in new[] { online, offline })
        {
            var sbom = File.ReadAllText(image + ".spdx.json");
            Assert.Contains("\"spdxVersion\": \"SPDX-2.3\"", sbom);
            Assert.Contains("pkg:deb/debian/dpkg@", sbom);
        }
        var same = await CliApp.RunAsync(["diff", online, offline], TextWriter.Null, TextWriter.Null);
        Assert.Equal(0, same);
        output.WriteLine($"total {sw.Elapsed.TotalSeconds:0.0} s; image sha256 {BuiltCli.Sha256(offline)}");
    }
}
