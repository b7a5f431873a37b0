using System.Text.Json;
using Bootstrapper.Cli.Commands;
using Bootstrapper.EndToEnd.Build;
using Bootstrapper.Engine.Families.Debian.Repository;

namespace Bootstrapper.EndToEnd.Rebuilds;

/// <summary>
/// Rebuilds months later, from the host's mirror: plain builds (no epoch) are reproducible, suites past their
/// Valid-Until (the mirror's sid) build with --no-check-valid-until and not without, and apt's marks let
/// `apt-get autoremove` clean up after removing an included package.
/// </summary>
public sealed class MonthsLaterTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("bootstrap-months-").FullName;
    private static string Keyring => Path.Combine(RepoRoot.Path, "recipes", "keys", "debian-archive-keyring.gpg");

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static async Task<(int Code, string Log)> CliAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var code = await CliApp.RunAsync([.. args, "--cache", BookwormImageFixture.CacheDir], stdout, stdout);
        return (code, stdout.ToString());
    }

    /// <param name="withUpdates">For bookworm: also bookworm-updates and bookworm-security, as the repository's recipe.</param>
    private string Recipe(string name, string suite, string include = "", bool withUpdates = true)
    {
        var path = Path.Combine(_work, name + ".toml");
        File.WriteAllText(path, $"""
            name = "{name}"
            family = "debian"
            architecture = "amd64"
            keyrings = ["{Keyring}"]
            [[sources]]
            suite = "{suite}"
            {(suite == "bookworm" && withUpdates ? "[[sources]]\nsuite = \"bookworm-updates\"\n[[sources]]\nsuite = \"bookworm-security\"\narchive = \"debian-security\"" : "")}
            [packages]
            variant = "minbase"
            include = [{include}]
            """);
        return path;
    }

    [Fact]
    public async Task Two_plain_bookworm_builds_from_a_warm_cache_are_byte_identical()
    {
        Assert.Null(Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH")); // else this would not test the default
        var recipe = Path.Combine(RepoRoot.Path, "recipes", "debian-bookworm.toml");
        var first = Path.Combine(_work, "first.tar");
        var second = Path.Combine(_work, "second.tar");
        var one = await CliAsync(recipe, "-o", first, "-q");
        Assert.True(one.Code == 0, one.Log);
        await Task.Delay(TimeSpan.FromSeconds(2)); // a later wall clock: clamping must not depend on it
        var two = await CliAsync(recipe, "-o", second, "-q");
        Assert.True(two.Code == 0, two.Log);
        Assert.Equal(BuiltCli.Sha256(first), BuiltCli.Sha256(second));

        // The epoch is the newest Date among the verified InRelease files, and the manifest says which.
        using var manifest = JsonDocument.Parse(File.ReadAllText(first + ".manifest.json"));
        var epoch = manifest.RootElement.GetProperty("sourceDateEpoch").GetInt64();
        var from = manifest.RootElement.GetProperty("sourceDateEpochFrom").GetString();
        var newest = manifest.RootElement.GetProperty("indices").EnumerateArray()
            .Select(i => (Url: i.GetProperty("url").GetString(), Date: DateTimeOffset.Parse(i.GetProperty("date").GetString()!.Replace(" UTC", " +0000"))))
            .MaxBy(i => i.Date);
        Assert.Equal(newest.Date.ToUnixTimeSeconds(), epoch);
        Assert.Equal(newest.Url, from);
        output.WriteLine($"epoch {epoch} from {from}; sha256 {BuiltCli.Sha256(first)}");
    }

    [Fact]
    public async Task Sid_from_the_host_mirror_needs_no_check_valid_until_and_then_passes_dpkg_and_apt_checks()
    {
        var recipe = Recipe("debian-sid", "sid");
        var image = Path.Combine(_work, "sid.tar");
        var refused = await CliAsync(recipe, "-o", image, "-q");
        Assert.True(refused.Code == 3, refused.Log);
        Assert.Contains("/dists/sid/InRelease: expired: Valid-Until", refused.Log);
        Assert.Contains("pass --no-check-valid-until or set check_valid_until = false on this source in the recipe", refused.Log);
        Assert.False(File.Exists(image));

        var built = await CliAsync(recipe, "-o", image, "-q", "--no-check-valid-until");
        Assert.True(built.Code == 0, built.Log);
        Assert.Equal("", Podman.Run(image, "dpkg --audit && dpkg --verify && apt-get check -q=2"));
    }

    [Fact]
    public async Task Includes_are_manual_the_rest_automatic_and_autoremove_cleans_up_after_curl()
    {
        string[] includes = ["systemd", "openssh-server", "python3", "curl", "ca-certificates", "locales", "sudo"];
        static string Quoted(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"\"{n}\""));
        var recipe = Recipe("with-includes", "bookworm", Quoted(includes));
        var withoutCurl = Recipe("without-curl", "bookworm", Quoted(includes.Where(n => n != "curl")));
        // What curl alone pulled in: in the plan with it and not in the plan without it.
        var pulledIn = (await PlanNamesAsync(recipe)).Except(await PlanNamesAsync(withoutCurl)).Order(StringComparer.Ordinal).ToList();
        Assert.Contains("curl", pulledIn);
        Assert.True(pulledIn.Count > 1, string.Join(" ", pulledIn));

        var image = Path.Combine(_work, "includes.tar");
        var built = await CliAsync(recipe, "-o", image, "-q", "--source-date-epoch", BookwormImageFixture.Epoch.ToString());
        Assert.True(built.Code == 0, built.Log);
        var result = Podman.Run(image, """
            apt-mark showmanual; echo ---
            dpkg-query -W -f '${Package}\n' | sort > /tmp/before
            apt-get purge -y -q=2 curl >/dev/null 2>&1 && apt-get autoremove -y --purge -q=2 >/dev/null 2>&1
            dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' | awk '$1 == "ii" { print $2 }' | sort > /tmp/after
            comm -23 /tmp/before /tmp/after
            """);
        var parts = result.Split("---\n");
        Assert.Equal(includes.Order(StringComparer.Ordinal), parts[0].Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        output.WriteLine($"curl alone pulled in: {string.Join(' ', pulledIn)}");
        Assert.Equal(pulledIn, parts[1].Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_snapshot_build_names_the_snapshot_in_the_image_apt_sources()
    {
        // Files come from the host mirror (--mirror, as from a bundle of the snapshot); the image names the snapshot.
        // The snapshot layout itself is served and read in the hermetic SnapshotTests.
        var mirror = HostAptSources.Read()
            .First(e => e.Type == "deb" && e.Suites.Contains("bookworm") && e.Components.Contains("main")).Uri;
        var recipe = Recipe("snapshot", "bookworm", withUpdates: false); // --mirror names one archive
        var image = Path.Combine(_work, "snapshot.tar");
        var built = await CliAsync(recipe, "-o", image, "-q", "--mirror", mirror, "--snapshot", "2026-11-01T00:00:00Z",
            "--snapshot-url", "http://snapshot.internal/archive/{archive}/{timestamp}", "--source-date-epoch", BookwormImageFixture.Epoch.ToString());
        Assert.True(built.Code == 0, built.Log);
        var sources = Sh.Run("tar", "-xOf", image, "./etc/apt/sources.list.d/debian.sources").Ok("tar").Stdout;
        Assert.Equal("Types: deb\nURIs: http://snapshot.internal/archive/debian/20261101T000000Z\nSuites: bookworm\nComponents: main\n" +
                     "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\nCheck-Valid-Until: no\n", sources);
    }

    private static async Task<HashSet<string>> PlanNamesAsync(string recipe)
    {
        var (code, log) = await CliAsync("plan", recipe, "--json", "-q");
        Assert.True(code == 0, log);
        using var plan = JsonDocument.Parse(log[log.IndexOf('{')..]);
        return plan.RootElement.GetProperty("packages").EnumerateArray().Select(p => p.GetProperty("name").GetString()!).ToHashSet();
    }
}
