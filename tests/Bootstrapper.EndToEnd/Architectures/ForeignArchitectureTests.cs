using System.Text.Json;
using Bootstrapper.Cli.Commands;
using Bootstrapper.EndToEnd.Build;
using Bootstrapper.EndToEnd.Resolution;

namespace Bootstrapper.EndToEnd.Architectures;

/// <summary>
/// bookworm minbase for arm64 on this amd64 host: built with the committed recipe and `--architecture arm64` (the
/// maintainer scripts run under qemu-user through binfmt_misc), then run in podman under the same emulation. The
/// package sets of arm64, armhf and i386 are mmdebstrap's (--arch, merged-usr hook; recorded by
/// scripts/refresh-reference-sets.sh).
/// </summary>
public sealed class ForeignArchitectureTests : IClassFixture<ForeignArchitectureTests.Arm64Image>
{
    private static readonly string Recipe = Path.Combine(RepoRoot.Path, "recipes", "debian-bookworm.toml");
    private readonly Arm64Image _image;

    public ForeignArchitectureTests(Arm64Image image) => _image = image;

    public sealed class Arm64Image : IAsyncLifetime
    {
        public string WorkDir { get; } = Directory.CreateTempSubdirectory("bootstrap-e2e-arm64-").FullName;
        public string ImagePath => Path.Combine(WorkDir, "bookworm-arm64.tar");
        public string Tag => "localhost/bootstrap-e2e-arm64:" + Path.GetFileName(WorkDir).ToLowerInvariant().Replace('_', '-');

        public async ValueTask InitializeAsync()
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var code = await CliApp.RunAsync(
                [Recipe, "--architecture", "arm64", "-o", ImagePath, "--cache", BookwormImageFixture.CacheDir,
                 "--source-date-epoch", BookwormImageFixture.Epoch.ToString(), "-q"], stdout, stderr);
            if (code != 0) throw new InvalidOperationException($"bootstrap --architecture arm64 exited {code}:\n{stdout}\n{stderr}");
            Sh.Run("podman", "import", ImagePath, Tag).Ok("podman import");
        }

        public ValueTask DisposeAsync()
        {
            Sh.Run("podman", "rmi", "-f", Tag);
            Directory.Delete(WorkDir, recursive: true);
            return ValueTask.CompletedTask;
        }
    }

    private string InContainer(string script) =>
        Sh.Run("podman", "run", "--rm", "--runtime", "runc", "--network=none", "--ulimit", "nofile=20000:20000",
            "--ulimit", "nproc=32768:32768", _image.Tag, "/bin/sh", "-c", script).Ok($"podman run: {script}").Stdout;

    [Fact]
    public void The_arm64_image_runs_under_qemu_and_dpkg_and_apt_are_clean()
    {
        Assert.Equal("aarch64\narm64\n", InContainer("uname -m; dpkg --print-architecture"));
        Assert.Equal("", InContainer("dpkg --audit; dpkg --verify"));
        InContainer("apt-get check");
    }

    [Fact]
    public void The_arm64_image_holds_what_mmdebstrap_arch_arm64_installs()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(_image.ImagePath + ".manifest.json"));
        Assert.Equal("arm64", manifest.RootElement.GetProperty("architecture").GetString());
        var names = manifest.RootElement.GetProperty("packages").EnumerateArray().Select(p => p.GetProperty("name").GetString()!);
        ReferenceSets.AssertSameSet(ReferenceSets.Load("bookworm-arm64-mmdebstrap-minbase.txt"), names, "mmdebstrap --arch=arm64");
        // Every package is arm64 or all; the merged-/usr links are arm64's (bin, lib, sbin; no lib64 as on amd64).
        Assert.All(manifest.RootElement.GetProperty("packages").EnumerateArray(),
            p => Assert.Contains(p.GetProperty("architecture").GetString(), new[] { "arm64", "all" }));
        var links = Sh.Bash($"tar -tvf '{_image.ImagePath}' | awk '$1 ~ /^l/ && $6 ~ /^\\.\\/[a-z0-9]+$/ {{print $6, $8}}'").Stdout;
        Assert.Equal("./bin usr/bin\n./lib usr/lib\n./sbin usr/sbin\n", links);
    }

    [Theory]
    [InlineData("armhf")]
    [InlineData("i386")]
    public async Task Plan_for_another_architecture_is_what_mmdebstrap_installs(string architecture)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(
            ["plan", Recipe, "--architecture", architecture, "--json", "-q", "--cache", BookwormImageFixture.CacheDir], stdout, stderr);
        Assert.True(code == 0, $"plan exited {code}: {stderr}");
        using var json = JsonDocument.Parse(stdout.ToString());
        Assert.Equal(architecture, json.RootElement.GetProperty("architecture").GetString());
        var names = json.RootElement.GetProperty("packages").EnumerateArray().Select(p => p.GetProperty("name").GetString()!);
        var recorded = $"bookworm-{architecture}-mmdebstrap-minbase.txt";
        ReferenceSets.AssertSameSet(ReferenceSets.Load(recorded), names, recorded);
    }

    [Fact]
    public void Without_emulation_the_cli_exits_2_before_downloading()
    {
        var empty = Directory.CreateTempSubdirectory("binfmt-empty-").FullName;
        var cache = Directory.CreateTempSubdirectory("arm64-no-emulation-cache-").FullName;
        try
        {
            var run = Sh.Run("env", [$"BOOTSTRAP_BINFMT_MISC={empty}", .. BuiltCli.Command(), Recipe, "--architecture", "arm64",
                "-o", Path.Combine(cache, "out.tar"), "--cache", cache, "-q"]);
            Assert.Equal(2, run.ExitCode);
            Assert.Contains("this x86_64 host cannot run arm64 (aarch64) programs", run.Stderr);
            Assert.Contains("apt-get install qemu-user-static binfmt-support", run.Stderr);
            Assert.Empty(Directory.GetFileSystemEntries(cache));   // not even an index
        }
        finally
        {
            Directory.Delete(empty, true);
            Directory.Delete(cache, true);
        }
    }
}
