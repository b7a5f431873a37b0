using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Debian;

namespace Bootstrapper.EndToEnd.Install;

/// <summary>
/// A package whose postinst fails: the install stops with an <see cref="InstallException"/> that names the
/// package and shows dpkg's report, the copied .debs are removed, and no process or mount is left.
/// </summary>
public sealed class FailingScriptInstallTests
{
    /// <summary>Builds failing-postinst_1.0_all.deb with the host's dpkg-deb.</summary>
    private static string BuildFailingDeb(string dir)
    {
        var src = Path.Combine(dir, "src");
        Directory.CreateDirectory(Path.Combine(src, "DEBIAN"));
        File.WriteAllText(Path.Combine(src, "DEBIAN/control"),
            "Package: failing-postinst\nVersion: 1.0\nArchitecture: all\nMaintainer: Tests <tests@example.invalid>\n" +
            "Priority: optional\nDescription: postinst that fails on purpose\n");
        var postinst = Path.Combine(src, "DEBIAN/postinst");
        File.WriteAllText(postinst, "#!/bin/sh\necho 'failing on purpose' >&2\nsleep 300 &\nexit 1\n");
        HostTools.RunOk("/bin/chmod", "0755", postinst);
        var deb = Path.Combine(dir, "failing-postinst_1.0_all.deb");
        HostTools.RunOk("/usr/bin/dpkg-deb", "--root-owner-group", "--build", src, deb);
        return deb;
    }

    [Fact]
    public async Task Failing_postinst_fails_the_install_naming_the_package_and_leaves_nothing_running()
    {
        var work = Directory.CreateTempSubdirectory("bootstrap-failing-").FullName;
        var root = Path.Combine(work, "root");
        try
        {
            var deb = BuildFailingDeb(work);
            var packages = MinbaseDebs.Get("bookworm").Append(new InstallPackage("failing-postinst", "1.0", "all", deb, false, "optional")).ToList();
            var log = new List<string>();
            var req = new InstallRequest
            {
                RootDirectory = root, Packages = packages, Suite = "bookworm", Architecture = "amd64",
                Log = l => { lock (log) log.Add(l); },
            };
            var ex = await Assert.ThrowsAsync<InstallException>(() => Installer.InstallAsync(req, new HostDebExtractor(), null, CancellationToken.None));
            Assert.Equal(ExitCodes.InstallFailed, ex.ExitCode);
            Assert.Contains("failing-postinst", ex.Message);
            Assert.Contains("post-installation script subprocess returned error exit status 1", ex.Message);
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
