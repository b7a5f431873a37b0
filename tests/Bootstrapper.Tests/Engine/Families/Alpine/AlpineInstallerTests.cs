using System.Diagnostics;
using System.Runtime.Versioning;
using Bootstrapper.Core.Alpine.Index;
using Bootstrapper.Core.Alpine.Package;
using Bootstrapper.Core.Alpine.Resolution;
using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Families.Alpine;
using Bootstrapper.Tests.Fixtures.Alpine;

namespace Bootstrapper.Tests.Engine.Families.Alpine;

/// <summary>
/// Installs a real signed fixture repository into a temporary root, running scripts chrooted (needs root,
/// musl-tools, busybox-static and util-linux's unshare).
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class AlpineInstallerTests : IDisposable
{
    private readonly FixtureRepository _repo = new();
    private readonly string _root = Directory.CreateTempSubdirectory("apk-root-").FullName;

    public void Dispose()
    {
        _repo.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private static FixturePackage[] MainPackages() =>
    [
        new()
        {
            Name = "musl", Version = "1.2.5-r10", Provides = "so:libc.musl-x86_64.so.1=1",
            Files = [FixtureEntry.Dir("lib"), FixtureEntry.File("lib/ld-musl-x86_64.so.1", "not really the loader")],
        },
        new()
        {
            Name = "busybox", Version = "1.37.0-r19", Depends = "so:libc.musl-x86_64.so.1",
            Provides = "cmd:sh=1.37.0-r19",
            Files = [FixtureEntry.Dir("bin"), FixtureEntry.File("bin/busybox", FixtureRepository.Busybox(), 0x1ed),
                     FixtureEntry.Symlink("bin/sh", "busybox")],
            // busybox cannot have a pre-install: there is no /bin/sh before it is extracted (as in Alpine).
            Scripts = new Dictionary<string, string> { ["post-install"] = FixtureRepository.LogScript },
        },
        new()
        {
            Name = "hello", Version = "2.12-r1", Depends = "cmd:sh so:libc.musl-x86_64.so.1",
            Files =
            [
                FixtureEntry.Dir("etc"), FixtureEntry.File("etc/hello.conf", "secret\n"u8.ToArray(), 0x1a0, gid: 42),
                FixtureEntry.Dir("usr"), FixtureEntry.Dir("usr/bin"),
                FixtureEntry.File("usr/bin/hello", FixtureRepository.Hello(), 0x9ed), // 04755
                FixtureEntry.Symlink("usr/bin/hi", "hello"),
                FixtureEntry.Hardlink("usr/bin/hello2", "usr/bin/hello"),
                FixtureEntry.Dir("var"), FixtureEntry.Dir("var/lib"), FixtureEntry.Dir("var/lib/hello", 0x1c0, uid: 100, gid: 101),
                FixtureEntry.Dir("usr/share"), FixtureEntry.Dir("usr/share/fonts"), FixtureEntry.Dir("usr/share/fonts/misc"),
                FixtureEntry.File("usr/share/fonts/misc/a.pcf", "font"),
            ],
            Scripts = new Dictionary<string, string>
            {
                ["pre-install"] = FixtureRepository.LogScript + "test -e /usr/bin/hello && echo 'data too early' >> /script.log\nexit 0\n",
                ["post-install"] = FixtureRepository.LogScript + "/usr/bin/hello x y >> /script.log\n" +
                    "[ -e /proc/self/exe ] && [ -c /dev/null ] && echo \"proc+dev umask=$(umask)\" >> /script.log\n",
            },
        },
        new()
        {
            Name = "fontconfig", Version = "2.15.0-r1", Depends = "busybox",
            Triggers = "/usr/share/fonts/* /nonexistent/*",
            Files = [FixtureEntry.Dir("usr"), FixtureEntry.Dir("usr/share"), FixtureEntry.Dir("usr/share/fonts"),
                     FixtureEntry.Dir("usr/share/fonts/extra"), FixtureEntry.File("usr/share/fonts/extra/b.pcf", "font")],
            Scripts = new Dictionary<string, string> { ["trigger"] = FixtureRepository.LogScript },
        },
    ];

    private async Task<AlpineInstallResult> InstallAsync(IEnumerable<string> world, bool runScripts = true,
        IApkScriptRunner? runner = null, long? sourceDateEpoch = null, Action<int, int, string>? installing = null)
    {
        _repo.Publish("v3.23", "main", MainPackages());
        var keyring = _repo.Signer.Keyring();
        var index = ApkIndex.Verify(File.ReadAllBytes(Path.Combine(_repo.RepoDir("v3.23", "main"), "APKINDEX.tar.gz")),
            keyring, "main/APKINDEX.tar.gz", 0, _repo.RepoDir("v3.23", "main"));
        var plan = ApkResolver.Resolve([index], world);
        var items = plan.Select(r => new AlpineInstallItem(r.Package,
            Path.Combine(r.Package.RepositoryUrl, r.Package.FileName))).ToList();
        return await AlpineInstaller.InstallAsync(_root, items, new AlpineInstallOptions
        {
            Keyring = keyring,
            World = world.ToArray(),
            Repositories = ["http://127.0.0.1:8080/alpine/v3.23/main"],
            Architecture = "x86_64",
            RunScripts = runScripts,
            ScriptRunner = runner ?? new ChrootScriptRunner(),
            SourceDateEpoch = sourceDateEpoch,
            Installing = installing,
        }, CancellationToken.None);
    }

    [Fact]
    public async Task Each_package_is_announced_before_it_is_installed_in_order_with_the_count()
    {
        var seen = new List<string>();
        var result = await InstallAsync(["fontconfig", "hello"], runScripts: false,
            installing: (done, total, package) => seen.Add($"{done}/{total} {package}"));
        Assert.Equal(result.Packages.Select((p, i) => $"{i + 1}/{result.Packages.Count} {p.Info}"), seen);
        Assert.True(seen.Count > 1);
    }

    /// <summary>Records what each script would get instead of running it.</summary>
    private sealed class RecordingRunner : IApkScriptRunner
    {
        public List<(string Script, IReadOnlyDictionary<string, string> Environment)> Runs { get; } = [];

        public Task<ApkScriptResult> RunAsync(string root, string scriptPath, IReadOnlyList<string> args,
            IReadOnlyDictionary<string, string> environment, CancellationToken ct)
        {
            Runs.Add((scriptPath, environment));
            return Task.FromResult(new ApkScriptResult(0, ""));
        }
    }

    [Theory]
    [InlineData(1700000000L, "1700000000")]
    [InlineData(null, null)]
    public async Task Scripts_get_SOURCE_DATE_EPOCH_like_Debian_scripts(long? epoch, string? expected)
    {
        var runner = new RecordingRunner();
        await InstallAsync(["hello", "fontconfig"], runner: runner, sourceDateEpoch: epoch);

        Assert.Equal(
        [
            "lib/apk/exec/busybox-1.37.0-r19.post-install", "lib/apk/exec/hello-2.12-r1.pre-install",
            "lib/apk/exec/hello-2.12-r1.post-install", "lib/apk/exec/fontconfig-2.15.0-r1.trigger",
        ], runner.Runs.Select(r => r.Script));
        Assert.All(runner.Runs, r => Assert.Equal(expected, r.Environment.GetValueOrDefault("SOURCE_DATE_EPOCH")));
    }

    [Fact]
    public async Task Runs_scripts_in_order_with_apk_arguments_and_environment()
    {
        var result = await InstallAsync(["hello", "fontconfig"]);

        // world is processed sorted by name, as apk keeps it.
        Assert.Equal(["musl", "busybox", "fontconfig", "hello"], result.Packages.Select(p => p.Info.Name));
        const string env = "/usr/sbin:/usr/bin:/sbin:/bin nohome]";
        Assert.Equal(
        [
            $"lib/apk/exec/busybox-1.37.0-r19.post-install 1.37.0-r19 [post-install busybox {env}",
            $"lib/apk/exec/hello-2.12-r1.pre-install 2.12-r1 [pre-install hello {env}",
            $"lib/apk/exec/hello-2.12-r1.post-install 2.12-r1 [post-install hello {env}",
            "hello from musl (2 args)",
            "proc+dev umask=0022",
            // Once, at the end, with the changed directories its globs match (sorted), not the unmatched glob.
            $"lib/apk/exec/fontconfig-2.15.0-r1.trigger /usr/share/fonts/extra /usr/share/fonts/misc [trigger fontconfig {env}",
        ], File.ReadAllLines(Path.Combine(_root, "script.log")));
        Assert.False(Directory.Exists(Path.Combine(_root, "lib/apk/exec")), "script files are removed afterwards");
        // /proc and /dev were mounted only inside the scripts' private mount namespace.
        Assert.DoesNotContain(_root, File.ReadAllText("/proc/self/mountinfo"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_root, "proc")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_root, "dev")));
    }

    [Fact]
    public async Task Extracts_owners_modes_links_and_runs_binaries()
    {
        await InstallAsync(["hello"]);

        var conf = Stat(Path.Combine(_root, "etc/hello.conf"));
        Assert.Equal("0:42 640 regular file", conf);
        Assert.Equal("0:0 4755 regular file", Stat(Path.Combine(_root, "usr/bin/hello")));
        Assert.Equal("100:101 700 directory", Stat(Path.Combine(_root, "var/lib/hello")));
        Assert.Equal("hello", new FileInfo(Path.Combine(_root, "usr/bin/hi")).LinkTarget);
        Assert.Equal("busybox", new FileInfo(Path.Combine(_root, "bin/sh")).LinkTarget);
        Assert.Equal(Inode(Path.Combine(_root, "usr/bin/hello")), Inode(Path.Combine(_root, "usr/bin/hello2")));
        Assert.Equal("hello from musl (0 args)\n", Run("chroot", _root, "/usr/bin/hi"));
    }

    [Fact]
    public async Task Writes_apk_database_exactly()
    {
        var result = await InstallAsync(["hello"], runScripts: false);
        var hello = result.Packages.Single(p => p.Info.Name == "hello").Info;
        var busybox = result.Packages.Single(p => p.Info.Name == "busybox").Info;
        string Q1(byte[] b) => "Q1" + Convert.ToBase64String(System.Security.Cryptography.SHA1.HashData(b));

        var installed = File.ReadAllText(Path.Combine(_root, "lib/apk/db/installed"));
        var stanzas = installed.Split("\n\n");
        Assert.Equal(["busybox", "hello", "musl", ""], stanzas.Select(s => s.Split('\n')[1 % Math.Max(1, s.Split('\n').Length)].Replace("P:", "")));
        Assert.Equal(
            $"C:{hello.Checksum}\nP:hello\nV:2.12-r1\nA:x86_64\nS:{hello.Size}\nI:{hello.InstalledSize}\n" +
            "T:fixture hello\nU:https://example.invalid/\nL:MIT\no:hello\nt:1700000000\nD:cmd:sh so:libc.musl-x86_64.so.1\n" +
            $"F:etc\nR:hello.conf\na:0:42:640\nZ:{Q1("secret\n"u8.ToArray())}\n" +
            "F:usr\nF:usr/bin\n" +
            $"R:hello\na:0:0:4755\nZ:{Q1(FixtureRepository.Hello())}\n" +
            $"R:hello2\nZ:{Q1(FixtureRepository.Hello())}\n" +
            $"R:hi\na:0:0:777\nZ:{Q1("hello"u8.ToArray())}\n" +
            $"F:usr/share\nF:usr/share/fonts\nF:usr/share/fonts/misc\nR:a.pcf\nZ:{Q1("font"u8.ToArray())}\n" +
            "F:var\nF:var/lib\nF:var/lib/hello\nM:100:101:700",
            stanzas[1]);

        Assert.Equal("hello\n", File.ReadAllText(Path.Combine(_root, "etc/apk/world")));
        Assert.Equal("x86_64\n", File.ReadAllText(Path.Combine(_root, "etc/apk/arch")));
        Assert.Equal("http://127.0.0.1:8080/alpine/v3.23/main\n", File.ReadAllText(Path.Combine(_root, "etc/apk/repositories")));
        Assert.Equal(_repo.Signer.PublicPem, File.ReadAllText(Path.Combine(_root, "etc/apk/keys", _repo.Signer.Name)));
        Assert.Equal("", File.ReadAllText(Path.Combine(_root, "lib/apk/db/triggers")));

        // scripts.tar: apk's names (name-version.X1<hex C:>.type), in package then script-type order.
        var tar = ApkTar.Read(File.ReadAllBytes(Path.Combine(_root, "lib/apk/db/scripts.tar")), "scripts.tar");
        string Hex(ApkPackageInfo p) => Convert.ToHexStringLower(Convert.FromBase64String(p.Checksum[2..]));
        Assert.Equal(
        [
            $"busybox-1.37.0-r19.X1{Hex(busybox)}.post-install",
            $"hello-2.12-r1.X1{Hex(hello)}.pre-install",
            $"hello-2.12-r1.X1{Hex(hello)}.post-install",
        ], tar.Select(e => e.Name));
        Assert.All(tar, e => Assert.Equal((0x1ed, 1_700_000_000L), (e.Mode, e.MTime)));
    }

    [Fact]
    public async Task Failing_script_stops_the_install_with_its_output()
    {
        _repo.Publish("v3.23", "main", MainPackages().Take(2).Append(new FixturePackage
        {
            Name = "broken",
            Version = "0.1-r0",
            Depends = "busybox",
            Scripts = new Dictionary<string, string> { ["post-install"] = "#!/bin/sh\necho oops >&2\nexit 3\n" },
        }));
        var items = _repo.Packages.Select(p => new AlpineInstallItem(p.Info, p.Path)).ToList();
        var e = await Assert.ThrowsAsync<InstallException>(() => AlpineInstaller.InstallAsync(_root, items,
            new AlpineInstallOptions { Keyring = _repo.Signer.Keyring(), World = ["broken"], Repositories = [], Architecture = "x86_64" },
            CancellationToken.None));
        Assert.Equal("broken-0.1-r0: .post-install script exited with status 3. Output:\noops", e.Message);
        Assert.DoesNotContain(_root, File.ReadAllText("/proc/self/mountinfo"));
    }

    [Fact]
    public async Task Triggers_file_lists_globs_by_checksum()
    {
        var result = await InstallAsync(["fontconfig"], runScripts: false);
        var fc = result.Packages.Single(p => p.Info.Name == "fontconfig").Info;
        Assert.Equal($"{fc.Checksum} /usr/share/fonts/* /nonexistent/*\n",
            File.ReadAllText(Path.Combine(_root, "lib/apk/db/triggers")));
    }

    [Fact]
    public async Task Install_is_reproducible()
    {
        await InstallAsync(["hello", "fontconfig"]);
        var first = Snapshot(_root);
        var second = Directory.CreateTempSubdirectory("apk-root2-").FullName;
        try
        {
            var items = _repo.Packages.Select(p => p).ToList();
            var keyring = _repo.Signer.Keyring();
            var index = ApkIndex.Verify(File.ReadAllBytes(Path.Combine(_repo.RepoDir("v3.23", "main"), "APKINDEX.tar.gz")),
                keyring, "idx", 0, _repo.RepoDir("v3.23", "main"));
            var plan = ApkResolver.Resolve([index], ["fontconfig", "hello"]);
            await AlpineInstaller.InstallAsync(second,
                plan.Select(r => new AlpineInstallItem(r.Package, Path.Combine(r.Package.RepositoryUrl, r.Package.FileName))).ToList(),
                new AlpineInstallOptions
                {
                    Keyring = keyring,
                    World = ["fontconfig", "hello"],
                    Architecture = "x86_64",
                    Repositories = ["http://127.0.0.1:8080/alpine/v3.23/main"],
                }, CancellationToken.None);
            Assert.Equal(first, Snapshot(second));
        }
        finally
        {
            Directory.Delete(second, true);
        }
    }

    private static string Snapshot(string root) => string.Join("\n",
        Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(p => $"{Path.GetRelativePath(root, p)} {Stat(p)} " +
                         (File.Exists(p) && new FileInfo(p).LinkTarget is null ? Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(p))) : "")));

    internal static string Stat(string path) => Run("stat", "-c", "%u:%g %a %F", path).Trim();

    private static string Inode(string path) => Run("stat", "-c", "%i", path).Trim();

    internal static string Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {err}");
        return output;
    }
}
