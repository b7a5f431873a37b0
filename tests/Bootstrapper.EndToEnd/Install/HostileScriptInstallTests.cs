using Bootstrapper.Engine.Families.Debian.Deb;
using Bootstrapper.Engine.Families.Debian.Install;

namespace Bootstrapper.EndToEnd.Install;

/// <summary>
/// A package whose postinst tries every way out of the root that worked before the sandbox (writing through
/// /proc/1/root, perl's chroot escape, mounting, the host's network), installed by the real dpkg among the bookworm
/// minbase packages: the install succeeds, every attempt lands inside the sandbox, and a sentinel tree on the host
/// hashes the same before and after.
/// </summary>
public sealed class HostileScriptInstallTests
{
    private static string BuildHostileDeb(string dir, string sentinel)
    {
        var src = Path.Combine(dir, "src");
        Directory.CreateDirectory(Path.Combine(src, "DEBIAN"));
        Directory.CreateDirectory(Path.Combine(src, "usr/share/doc/hostile"));
        File.WriteAllText(Path.Combine(src, "usr/share/doc/hostile/copyright"), "none\n");
        File.WriteAllText(Path.Combine(src, "DEBIAN/control"),
            "Package: hostile\nVersion: 1.0\nArchitecture: all\nMaintainer: Tests <tests@example.invalid>\n" +
            "Priority: optional\nDescription: postinst that tries to leave the root\n");
        var postinst = Path.Combine(src, "DEBIAN/postinst");
        File.WriteAllText(postinst, $$"""
            #!/bin/sh
            report=/hostile-report
            ischroot && echo "ischroot: chroot" >> $report
            echo pwned > /proc/1/root{{sentinel}}/precious 2>/dev/null && echo "proc1: wrote" >> $report
            ls -A /proc/1/root | sed 's/^/proc1 sees: /' >> $report
            perl -e '
                mkdir "/escape"; chroot "/escape" or die "chroot: $!";
                chdir ".." for 1..256; chroot "." or die "chroot .: $!";
                opendir my $d, "/"; print "perl escape sees: $_\n" for sort grep { !/^\./ } readdir $d;
                if (open my $f, ">", "{{sentinel}}/precious") { print $f "pwned\n"; print "perl escape: wrote\n" }
            ' >> $report 2>&1
            mount -t tmpfs none /mnt 2>/dev/null && echo "mount: done" >> $report
            grep -c : /proc/net/dev | sed 's/^/net devices: /' >> $report
            exit 0
            """);
        HostTools.RunOk("/bin/chmod", "0755", postinst);
        var deb = Path.Combine(dir, "hostile_1.0_all.deb");
        HostTools.RunOk("/usr/bin/dpkg-deb", "--root-owner-group", "--build", src, deb);
        return deb;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Every_way_out_of_the_root_lands_in_the_sandbox(bool recorded)
    {
        using var sentinel = new HostSentinel();
        var before = sentinel.Fingerprint();
        var work = Directory.CreateTempSubdirectory("bootstrap-hostile-").FullName;
        var root = Path.Combine(work, "root");
        try
        {
            var deb = BuildHostileDeb(work, sentinel.Directory);
            var packages = MinbaseDebs.Get("bookworm").Append(new InstallPackage("hostile", "1.0", "all", deb, false)).ToList();
            var req = new InstallRequest
            {
                RootDirectory = root,
                Packages = packages,
                Suite = "bookworm",
                Architecture = "amd64",
                Log = _ => { },
            };
            IDebExtractor extractor = recorded ? new SafeDebExtractor() : new HostDebExtractor();
            await Installer.InstallAsync(req, extractor, null, CancellationToken.None);

            Assert.Equal(
                ["ischroot: chroot", "proc1 sees: root", "perl escape sees: root", "net devices: 1"],
                File.ReadAllLines(Path.Combine(root, "hostile-report")));
            Assert.Equal(before, sentinel.Fingerprint());
            Assert.True(HostTools.WaitFor(() => HostTools.ProcessesWithRoot(root).Count == 0, 5));
            Assert.Empty(HostTools.MountsUnder(root));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
