using System.Runtime.Versioning;
using Bootstrapper.Cli.Commands;
using Bootstrapper.EndToEnd.Build;

namespace Bootstrapper.EndToEnd.Alpine;

/// <summary>
/// The air-gapped workflow for Alpine with a repository made by make-repo.sh (GNU tar, gzip, openssl: not our code):
/// build, lock and bundle from it, then build from the bundle alone inside a network namespace without any network
/// (`unshare --net`) with an empty cache, unlocked and --locked. Same SOURCE_DATE_EPOCH: the three images must be
/// byte-identical, and etc/apk/repositories must name the recipe's mirror, never the bundle.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class AlpineAirGappedTests(ITestOutputHelper output) : IDisposable
{
    private const string RecipeMirror = AlpineFixtureRecipe.RecipeMirror;
    private const long Epoch = 1_700_000_000;
    private readonly string _work = Directory.CreateTempSubdirectory("alpine-airgap-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private string Repo => Path.Combine(_work, "repo");
    private string Bundle => Path.Combine(_work, "bundle");

    private static async Task CliAsync(params string[] args)
    {
        var log = new StringWriter();
        var code = await CliApp.RunAsync([.. args, "-q"], log, log);
        Assert.True(code == 0, $"bootstrap {string.Join(' ', args)} exited with {code}:\n{log}");
    }

    private Sh.Result OfflineBuild(string recipe, string image, params string[] extra) =>
        Sh.RunWithTimeout(TimeSpan.FromMinutes(2), "unshare", ["--net", "--", .. BuiltCli.Command(), recipe, "-o", image,
            "--cache", Path.Combine(_work, "empty-cache-" + Path.GetFileNameWithoutExtension(image)),
            "--source-date-epoch", Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--offline", "--mirror", new Uri(Bundle + "/").AbsoluteUri, "-q", .. extra]);

    [Fact]
    public async Task Offline_builds_from_a_bundle_in_a_netless_namespace_are_byte_identical_to_the_online_build()
    {
        var recipe = AlpineFixtureRecipe.Write(_work, "alpine-e2e");
        var mirror = new Uri(Repo + "/").AbsoluteUri;
        var cache = Path.Combine(_work, "cache");
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var online = Path.Combine(_work, "online.tar");
        await CliAsync(recipe, "--mirror", mirror, "--cache", cache, "-o", online, "--source-date-epoch", Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await CliAsync("lock", recipe, "--mirror", mirror, "--cache", cache);
        await CliAsync("fetch", recipe, "--mirror", mirror, "--cache", cache, "--bundle", Bundle);
        output.WriteLine($"online build + lock + bundle: {sw.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(File.ReadAllBytes(Path.Combine(Repo, "v3.23/main/x86_64/APKINDEX.tar.gz")),
            File.ReadAllBytes(Path.Combine(Bundle, "v3.23/main/x86_64/APKINDEX.tar.gz")));

        var offline = Path.Combine(_work, "offline.tar");
        var run = OfflineBuild(recipe, offline);
        Assert.True(run.ExitCode == 0, $"offline build exited with {run.ExitCode}:\n{run.Stdout}\n{run.Stderr}");
        var locked = Path.Combine(_work, "locked.tar");
        run = OfflineBuild(recipe, locked, "--locked");
        Assert.True(run.ExitCode == 0, $"offline --locked build exited with {run.ExitCode}:\n{run.Stdout}\n{run.Stderr}");
        output.WriteLine($"two offline builds done at {sw.Elapsed.TotalSeconds:0.0} s");

        Assert.Equal(BuiltCli.Sha256(online), BuiltCli.Sha256(offline));
        Assert.Equal(BuiltCli.Sha256(online), BuiltCli.Sha256(locked));
        var repositories = Sh.Run("tar", "-xOf", offline, "--wildcards", "*etc/apk/repositories").Ok("tar").Stdout;
        Assert.Equal($"{RecipeMirror}/v3.23/main\n", repositories);
        Assert.Contains("pkg:apk/alpine/busybox@", File.ReadAllText(offline + ".spdx.json"));
        output.WriteLine($"image sha256 {BuiltCli.Sha256(offline)}");
    }
}
