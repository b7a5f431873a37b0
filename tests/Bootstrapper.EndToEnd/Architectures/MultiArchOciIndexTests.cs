using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using Bootstrapper.Cli.Commands;
using Bootstrapper.EndToEnd.Build;

namespace Bootstrapper.EndToEnd.Architectures;

/// <summary>
/// A recipe listing x86_64 and aarch64 with an .oci.tar output: one run writes each architecture's image and, at the
/// recipe's own path, one image index with a manifest per platform. skopeo reads the index; podman runs each
/// platform's image straight from it (`--platform`; aarch64 under qemu-user).
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class MultiArchOciIndexTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("oci-index-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task Architectures_with_an_oci_output_give_one_image_index_that_podman_runs_per_platform()
    {
        var name = "oci-index-" + Guid.NewGuid().ToString("N")[..8];   // podman names the image after index.json's ref: one per run
        var recipe = Alpine.AlpineFixtureRecipe.Write(_work, name, "x86_64", "aarch64");
        File.WriteAllText(recipe, File.ReadAllText(recipe).Replace($"path = \"out/{name}.tar\"", $"path = \"{_work}/out/{name}.oci.tar\""));
        var log = new StringWriter();
        var code = await CliApp.RunAsync([recipe, "--mirror", "file://" + Path.Combine(_work, "repo"), "--cache", Path.Combine(_work, "cache"),
            "--source-date-epoch", "1700000000", "-q"], log, log);
        Assert.True(code == 0, $"bootstrap exited {code}:\n{log}");
        var index = Path.Combine(_work, "out", $"{name}.oci.tar");
        Assert.Contains($"{index} (image index of x86_64, aarch64, sha256:", log.ToString());
        Assert.True(File.Exists(Path.Combine(_work, "out", $"{name}-x86_64.oci.tar")));
        Assert.True(File.Exists(Path.Combine(_work, "out", $"{name}-aarch64.oci.tar")));

        var raw = JsonNode.Parse(Sh.Run("skopeo", "inspect", "--raw", "oci-archive:" + index).Ok("skopeo inspect --raw").Stdout)!;
        Assert.Equal("application/vnd.oci.image.index.v1+json", (string?)raw["mediaType"]);
        var platforms = raw["manifests"]!.AsArray().Select(m => $"{m!["platform"]!["os"]}/{m["platform"]!["architecture"]}").ToList();
        Assert.Equal(["linux/amd64", "linux/arm64"], platforms);

        try
        {
            foreach (var (platform, uname) in new[] { ("linux/amd64", "x86_64"), ("linux/arm64", "aarch64") })
            {
                var output = Sh.Run("podman", "run", "--rm", "--platform", platform, "--runtime", "runc", "--network=none",
                    "--ulimit", "nofile=20000:20000", "--ulimit", "nproc=32768:32768", "oci-archive:" + index,
                    "/bin/sh", "-c", "uname -m; cat /etc/apk/arch").Ok("podman run").Stdout;
                Assert.Equal($"{uname}\n{uname}\n", output);
            }
        }
        finally
        {
            Sh.Run("podman", "rmi", "-f", $"localhost/{name}:latest");
        }
    }
}
