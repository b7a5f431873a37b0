using System.Text.Json;
using Bootstrapper.Cli.Commands;
using Bootstrapper.EndToEnd.Build;

namespace Bootstrapper.EndToEnd.Resolution;

/// <summary>
/// The user-facing promise of `bootstrap plan`: for the committed recipes, `plan --json` (mirror chosen from the host's
/// apt sources, indices verified, resolved) names exactly the packages `debootstrap --variant=minbase` installs.
/// debootstrap runs here, against the same host mirror, so the test follows the archive as it changes.
/// </summary>
public sealed class PlanCommandOracleTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("debian-bookworm.toml", "bookworm", 88)]
    [InlineData("debian-trixie.toml", "trixie", null)]
    public async Task Plan_json_names_what_debootstrap_minbase_installs(string recipe, string suite, int? expectedCount)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(
            [
                "plan", Path.Combine(RepoRoot.Path, "recipes", recipe), "--json", "-q",
                "--cache", BookwormImageFixture.CacheDir,
            ], stdout, stderr);
        Assert.True(code == 0, $"plan exited {code}: {stderr}");
        using var json = JsonDocument.Parse(stdout.ToString());
        var ours = json.RootElement.GetProperty("packages").EnumerateArray()
            .Select(p => p.GetProperty("name").GetString()!).ToList();
        Assert.Equal(ours.Count, json.RootElement.GetProperty("totals").GetProperty("packages").GetInt32());
        Assert.All(json.RootElement.GetProperty("packages").EnumerateArray(),
            p => Assert.Matches("^[0-9a-f]{64}$", p.GetProperty("sha256").GetString()));

        var target = Directory.CreateTempSubdirectory("plan-oracle-");
        try
        {
            // The host's apt sources name the archive for bookworm; the same archive root serves every Debian suite.
            var printed = HostAptIndices.Run("debootstrap",
                ["--print-debs", "--variant=minbase", suite, target.FullName, HostAptIndices.MirrorFor("bookworm")]);
            var debootstrap = printed.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            output.WriteLine($"{recipe}: ours {ours.Count}, debootstrap {debootstrap.Length}");
            ReferenceSets.AssertSameSet(debootstrap, ours, $"debootstrap --print-debs --variant=minbase {suite}");
        }
        finally
        {
            target.Refresh();
            if (target.Exists) target.Delete(recursive: true); // debootstrap --print-debs removes it itself
        }
        if (expectedCount is { } count) Assert.Equal(count, ours.Count); // bookworm: the official images' 88
    }
}
