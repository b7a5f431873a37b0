using System.Text.Json;
using Bootstrapper.Cli.Commands;
using Bootstrapper.EndToEnd.Build;

namespace Bootstrapper.EndToEnd.Ubuntu;

/// <summary>
/// recipes/ubuntu-noble.toml built from Ubuntu's archive, when one is reachable (<see cref="UbuntuArchiveFactAttribute"/>):
/// debootstrap's minbase set for noble (90 packages when this was written), apt among them although Ubuntu makes it
/// important, sources in ubuntu.sources, Ubuntu purls.
/// </summary>
public sealed class UbuntuLiveBuildTests
{
    [UbuntuArchiveFact]
    public async Task Noble_builds_from_the_ubuntu_archive()
    {
        var work = Directory.CreateTempSubdirectory("bootstrap-noble-").FullName;
        try
        {
            var image = Path.Combine(work, "noble.tar");
            var args = new List<string> { Path.Combine(RepoRoot.Path, "recipes", "ubuntu-noble.toml"), "-o", image,
                "--cache", BookwormImageFixture.CacheDir, "--source-date-epoch", "1700000000", "--quiet" };
            // One Ubuntu mirror serves the security suite too, unless a separate one is configured.
            if (Environment.GetEnvironmentVariable("BOOTSTRAP_MIRROR_UBUNTU_SECURITY") is not { Length: > 0 })
                args.AddRange(["--mirror", UbuntuArchiveFactAttribute.Mirror!]);
            var stderr = new StringWriter();
            var code = await CliApp.RunAsync(args.ToArray(), new StringWriter(), stderr);
            Assert.True(code == 0, $"exit {code}: {stderr}");

            using var manifest = JsonDocument.Parse(File.ReadAllText(image + ".manifest.json"));
            var names = manifest.RootElement.GetProperty("packages").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
            Assert.Contains("apt", names);
            Assert.Contains("ubuntu-keyring", names);
            Assert.InRange(names.Count, 80, 100);
            var listing = Sh.Run("tar", "-tf", image).Ok("tar -t").Stdout;
            Assert.Contains("./etc/apt/sources.list.d/ubuntu.sources", listing);
            Assert.DoesNotContain("./etc/apt/sources.list.d/debian.sources", listing);
            Assert.Contains("pkg:deb/ubuntu/apt@", File.ReadAllText(image + ".spdx.json"));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
