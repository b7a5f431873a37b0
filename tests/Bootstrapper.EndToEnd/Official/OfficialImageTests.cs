using System.Formats.Tar;
using Bootstrapper.Cli.Commands;
using Bootstrapper.EndToEnd.Build;

namespace Bootstrapper.EndToEnd.Official;

/// <summary>
/// Issue 14, part 1: recipes/debian-SUITE[-slim].toml give the tree of Debian's official debian:SUITE[-slim] image,
/// made here by Debian's own debuerreotype from the same mirror with the same epoch. Paths, types, modes, owners,
/// link targets and contents are compared; every difference must be one <see cref="OfficialDifferences"/> explains.
/// </summary>
public sealed class OfficialImageTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("debian-bookworm", "bookworm", false)]
    [InlineData("debian-bookworm-slim", "bookworm", true)]
    [InlineData("debian-trixie", "trixie", false)]
    [InlineData("debian-trixie-slim", "trixie", true)]
    public async Task Recipe_gives_the_official_tree(string recipe, string suite, bool slim)
    {
        var official = await DebuerreotypeOracle.GetAsync(suite, "bookworm", "trixie");
        var work = Directory.CreateTempSubdirectory("bootstrap-official-").FullName;
        try
        {
            var ours = Path.Combine(work, recipe + ".tar");
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var code = await CliApp.RunAsync([Path.Combine(RepoRoot.Path, "recipes", recipe + ".toml"), "-o", ours,
                "--cache", BookwormImageFixture.CacheDir, "--source-date-epoch", official.Epoch.ToString(), "--quiet"], stdout, stderr);
            Assert.True(code == 0, $"bootstrap exited with {code}:\n{stdout}\n{stderr}");

            var theirsPath = slim ? official.Slim : official.Full;
            var differences = ImageTree.Compare(ImageTree.Read(ours), ImageTree.Read(theirsPath));
            foreach (var d in differences) output.WriteLine(d.ToString());

            var unexplained = OfficialDifferences.Unexplained(differences);
            Assert.True(unexplained.Count == 0, "differences from debuerreotype's image that README does not explain:\n" +
                string.Join("\n", unexplained));
            // The status database may differ in Priority fields only (OfficialDifferences says why).
            var statusOurs = WithoutPriority(Member(ours, "var/lib/dpkg/status"));
            var statusTheirs = WithoutPriority(Member(theirsPath, "var/lib/dpkg/status"));
            Assert.Equal(statusTheirs, statusOurs);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static string WithoutPriority(string status) =>
        string.Join('\n', status.Split('\n').Where(l => !l.StartsWith("Priority: ", StringComparison.Ordinal)));

    private static string Member(string tar, string path)
    {
        using var stream = File.OpenRead(tar);
        using var reader = new TarReader(stream);
        while (reader.GetNextEntry() is { } e)
            if (e.Name.TrimStart('.', '/') == path && e.DataStream is { } data)
                return new StreamReader(data).ReadToEnd();
        throw new Xunit.Sdk.XunitException($"{tar} has no {path}");
    }
}
