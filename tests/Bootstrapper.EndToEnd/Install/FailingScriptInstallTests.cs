using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Families.Debian.Deb;
using Bootstrapper.Engine.Families.Debian.Install;

namespace Bootstrapper.EndToEnd.Install;

/// <summary>
/// A package whose postinst or preinst fails, with dpkg unpacking it or with us recording it: the install stops with an <see cref="InstallException"/> that names the
/// package and shows dpkg's report, the copied .debs are removed, and no process or mount is left.
/// </summary>
public sealed class FailingScriptInstallTests
{
    /// <summary>Builds failing-SCRIPT_1.0_all.deb with the host's dpkg-deb.</summary>
    private static string BuildFailingDeb(string dir, string script)
    {
        var src = Path.Combine(dir, "src");
        Directory.CreateDirectory(Path.Combine(src, "DEBIAN"));
        Directory.CreateDirectory(Path.Combine(src, "usr/share/doc/failing-" + script));
        File.WriteAllText(Path.Combine(src, "usr/share/doc/failing-" + script, "copyright"), "none\n");
        File.WriteAllText(Path.Combine(src, "DEBIAN/control"),
            $"Package: failing-{script}\nVersion: 1.0\nArchitecture: all\nMaintainer: Tests <tests@example.invalid>\n" +
            $"Priority: optional\nDescription: {script} that fails on purpose\n");
        var path = Path.Combine(src, "DEBIAN", script);
        File.WriteAllText(path, "#!/bin/sh\necho 'failing on purpose' >&2\nsleep 300 &\nexit 1\n");
        HostTools.RunOk("/bin/chmod", "0755", path);
        var deb = Path.Combine(dir, $"failing-{script}_1.0_all.deb");
        HostTools.RunOk("/usr/bin/dpkg-deb", "--root-owner-group", "--build", src, deb);
        return deb;
    }

    [Theory]
    [InlineData("postinst", false, "post-installation script subprocess returned error exit status 1")]
    [InlineData("postinst", true, "post-installation script subprocess returned error exit status 1")]
    [InlineData("preinst", false, "pre-installation script subprocess returned error exit status 1")]
    [InlineData("preinst", true, "the pre-installation script of failing-preinst failed with exit status 1")]
    public async Task A_failing_script_fails_the_install_naming_the_package_and_leaves_nothing_running(
        string script, bool recorded, string report)
    {
        var work = Directory.CreateTempSubdirectory("bootstrap-failing-").FullName;
        var root = Path.Combine(work, "root");
        try
        {
            var deb = BuildFailingDeb(work, script);
            var packages = MinbaseDebs.Get("bookworm").Append(new InstallPackage($"failing-{script}", "1.0", "all", deb, false)).ToList();
            var log = new List<string>();
            var req = new InstallRequest
            {
                RootDirectory = root,
                Packages = packages,
                Suite = "bookworm",
                Architecture = "amd64",
                Log = l => { lock (log) log.Add(l); },
            };
            IDebExtractor extractor = recorded ? new SafeDebExtractor() : new HostDebExtractor();
            var ex = await Assert.ThrowsAsync<InstallException>(() => Installer.InstallAsync(req, extractor, null, CancellationToken.None));
            Assert.Equal(ExitCodes.InstallFailed, ex.ExitCode);
            Assert.Contains($"failing-{script}", ex.Message);
            Assert.Contains(report, ex.Message);
            lock (log) Assert.Contains("failing on purpose", log);
            Assert.False(Directory.Exists(Path.Combine(root, Installer.DebsDirectory)));
            Assert.True(HostTools.WaitFor(() => HostTools.ProcessesWithRoot(root).Count == 0, 5));
            Assert.Empty(HostTools.MountsUnder(root));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
