using System.Runtime.Versioning;
using Bootstrapper.Core.Alpine.Resolution;
using Bootstrapper.EndToEnd.Build;
using Bootstrapper.Engine.Families.Alpine;
using Bootstrapper.Engine.Net.Http;
using Bootstrapper.Engine.Output;

namespace Bootstrapper.EndToEnd.Alpine;

/// <summary>
/// A repository made by make-repo.sh with GNU tar, gzip and openssl (not by our code) is fetched over file://,
/// verified, resolved and installed with real chrooted scripts; the root is packed and run in podman.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class AlpineImageTests : IDisposable
{
    private static readonly string[] RunFlags =
        ["--runtime", "runc", "--network=none", "--ulimit", "nofile=20000:20000", "--ulimit", "nproc=32768:32768"];

    private readonly string _work = Directory.CreateTempSubdirectory("alpine-e2e-").FullName;
    private string Repo => Path.Combine(_work, "repo");

    public AlpineImageTests()
    {
        Sh.Run("bash", Path.Combine(RepoRoot.Path, "tests/Bootstrapper.EndToEnd/Alpine/make-repo.sh"), Repo)
            .Ok("make-repo.sh");
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private async Task<(string Root, IReadOnlyList<ResolvedApk> Plan)> InstallAsync(string name)
    {
        using var http = new Downloader();
        var keyring = ApkKeyringFiles.Load([Path.Combine(Repo, "keys")]);
        var client = new AlpineRepositoryClient(http);
        var index = await client.FetchAsync("file://" + Repo, "v3.23", "main", "x86_64", keyring, 0, CancellationToken.None);
        var plan = ApkResolver.Resolve([index], ["alpine-base"]);
        var cache = Directory.CreateDirectory(Path.Combine(_work, "cache")).FullName;
        var items = new List<AlpineInstallItem>();
        foreach (var r in plan)
        {
            var dest = Path.Combine(cache, r.Package.FileName);
            await client.DownloadPackageAsync(r.Package, keyring, dest, CancellationToken.None);
            items.Add(new AlpineInstallItem(r.Package, dest));
        }
        var root = Path.Combine(_work, name);
        await AlpineInstaller.InstallAsync(root, items, new AlpineInstallOptions
        {
            Keyring = keyring,
            World = ["alpine-base"],
            Repositories = ["https://alpine-mirror.invalid/alpine/v3.23/main"],
            Architecture = "x86_64",
        }, CancellationToken.None);
        return (root, plan);
    }

    [Fact]
    public async Task Installs_packs_and_runs_in_podman()
    {
        var (root, plan) = await InstallAsync("root");

        Assert.Equal(["musl", "busybox", "baselayout", "hello", "alpine-base"], plan.Select(p => p.Package.Name));
        // busybox's post-install found itself through /proc/self/exe and created the applet links.
        Assert.Equal("/bin/busybox", new FileInfo(Path.Combine(root, "bin/ls")).LinkTarget);
        Assert.Equal(
            ["lib/apk/exec/baselayout-3.7.1-r0.pre-install 3.7.1-r0", "lib/apk/exec/baselayout-3.7.1-r0.post-install 3.7.1-r0"],
            File.ReadAllLines(Path.Combine(root, "scripts.log")));
        Assert.Equal("1777", Sh.Run("stat", "-c", "%a", Path.Combine(root, "tmp")).Ok("stat").Stdout.Trim());
        Assert.Equal("0:0 640", Sh.Run("stat", "-c", "%u:%g %a", Path.Combine(root, "etc/shadow")).Ok("stat").Stdout.Trim());

        var tar = Path.Combine(_work, "alpine.tar");
        ImagePacker.Pack(root, tar, new PackOptions { SourceDateEpoch = 1_700_000_000 });
        var tag = "localhost/bootstrap-alpine-e2e:" + Path.GetFileName(_work).ToLowerInvariant().Replace('_', '-');
        Sh.Run("podman", "import", tar, tag).Ok("podman import");
        try
        {
            var args = new List<string> { "run", "--rm" };
            args.AddRange(RunFlags);
            args.AddRange([tag, "/bin/sh", "-c", "hello; ls /bin/ls /usr/bin/wc >/dev/null && echo applets; cat /etc/apk/world; id -un"]);
            var output = Sh.Run("podman", args.ToArray()).Ok("podman run").Stdout;
            Assert.Equal("hello from a static musl binary\napplets\nalpine-base\nroot\n", output);
        }
        finally
        {
            Sh.Run("podman", "rmi", "-f", tag);
        }
    }

    [Fact]
    public async Task Two_installs_pack_to_identical_tars()
    {
        var (first, _) = await InstallAsync("a");
        var (second, _) = await InstallAsync("b");
        var a = ImagePacker.Pack(first, Path.Combine(_work, "a.tar"), new PackOptions { SourceDateEpoch = 1_700_000_000 });
        var b = ImagePacker.Pack(second, Path.Combine(_work, "b.tar"), new PackOptions { SourceDateEpoch = 1_700_000_000 });
        Assert.Equal(a.Sha256, b.Sha256);
        Assert.True(a.Entries > 300, $"only {a.Entries} entries: busybox --install did not run?");
    }
}
