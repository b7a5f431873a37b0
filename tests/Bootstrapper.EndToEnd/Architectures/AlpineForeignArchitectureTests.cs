using System.Runtime.Versioning;
using Bootstrapper.Cli.Commands;
using Bootstrapper.EndToEnd.Build;

namespace Bootstrapper.EndToEnd.Architectures;

/// <summary>
/// Alpine aarch64 and armv7 from repositories made by make-repo.sh (Debian's busybox-static of each architecture as
/// the packages' busybox), built in one run from a recipe that lists both architectures: busybox's post-install runs
/// under qemu-user and makes the applet links; each image runs in podman under the same emulation.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class AlpineForeignArchitectureTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("alpine-foreign-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task Aarch64_and_armv7_images_build_in_one_run_and_run_under_qemu()
    {
        var recipe = Alpine.AlpineFixtureRecipe.Write(_work, "alpine", "aarch64", "armv7");
        File.WriteAllText(recipe, File.ReadAllText(recipe).Replace("path = \"out/", $"path = \"{_work}/out/"));   // not the test's folder
        var repo = Path.Combine(_work, "repo");
        var log = new StringWriter();
        var code = await CliApp.RunAsync([recipe, "--mirror", "file://" + repo, "--cache", Path.Combine(_work, "cache"), "-q"], log, log);
        Assert.True(code == 0, $"bootstrap exited {code}:\n{log}");

        foreach (var (arch, uname) in new[] { ("aarch64", "aarch64"), ("armv7", "armv7l") })
        {
            var image = Path.Combine(_work, "out", $"alpine-{arch}.tar");
            Assert.Contains($"{image} (", log.ToString());
            var tag = $"localhost/bootstrap-alpine-{arch}:" + Path.GetFileName(_work).ToLowerInvariant().Replace('_', '-');
            Sh.Run("podman", "import", image, tag).Ok("podman import");
            try
            {
                var output = Sh.Run("podman", "run", "--rm", "--runtime", "runc", "--network=none", "--ulimit", "nofile=20000:20000",
                    "--ulimit", "nproc=32768:32768", tag, "/bin/sh", "-c", "uname -m; cat /etc/apk/arch; readlink /bin/ls; hello")
                    .Ok("podman run").Stdout;
                Assert.Equal($"{uname}\n{arch}\n/bin/busybox\nhello from a shell script\n", output);
            }
            finally
            {
                Sh.Run("podman", "rmi", "-f", tag);
            }
        }
    }
}
