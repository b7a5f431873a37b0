using Xunit.Abstractions;

namespace Bootstrapper.EndToEnd.Install;

/// <summary>
/// bookworm minbase (88 packages) installed by <see cref="Bootstrapper.Engine.Debian.Installer"/> and finalized,
/// then checked from inside the chroot with the image's own tools.
/// </summary>
public sealed class MinbaseInstallTests(MinbaseInstallFixture fx, ITestOutputHelper output) : IClassFixture<MinbaseInstallFixture>
{
    private HostTools.Result Chroot(params string[] cmd) => HostTools.InChroot(fx.Root, cmd);

    [Fact]
    public void Reports_stage_timings()
    {
        output.WriteLine($"packages {fx.Packages.Count} (essential set {fx.Packages.Count(p => p.InEssentialSet)})");
        output.WriteLine($"stage 1 extract {fx.Timings.Extract.TotalSeconds:F1} s, essential {fx.Timings.Essential.TotalSeconds:F1} s, " +
                         $"remaining {fx.Timings.Remaining.TotalSeconds:F1} s, finalize {fx.FinalizeTime.TotalSeconds:F2} s");
        Assert.Equal(88, fx.Packages.Count);
        Assert.Equal(88, fx.Timings.Packages);
    }

    [Fact]
    public void Dpkg_audit_is_empty()
    {
        var r = Chroot("dpkg", "--audit");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.StdOut + r.StdErr);
    }

    [Fact]
    public void All_packages_are_installed_ok()
    {
        var r = Chroot("dpkg-query", "-W", "-f", "${Package} ${db:Status-Abbrev}\n");
        Assert.Equal(0, r.ExitCode);
        var lines = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(fx.Packages.Select(p => p.Name).Order(StringComparer.Ordinal), lines.Select(l => l.Split(' ')[0]).Order(StringComparer.Ordinal));
        Assert.All(lines, l => Assert.EndsWith(" ii ", l));
    }

    [Fact]
    public void Dpkg_verify_is_clean()
    {
        var r = Chroot("dpkg", "--verify");
        output.WriteLine(r.StdOut + r.StdErr);
        Assert.Equal("", r.StdOut + r.StdErr);
        Assert.Equal(0, r.ExitCode);
    }

    [Fact]
    public void Apt_get_check_passes()
    {
        var r = Chroot("apt-get", "check");
        output.WriteLine(r.StdOut + r.StdErr);
        Assert.Equal(0, r.ExitCode);
    }

    [Fact]
    public void Root_account_resolves()
    {
        var r = Chroot("getent", "passwd", "root");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("root:x:0:0:root:/root:/bin/bash\n", r.StdOut);
    }

    [Fact]
    public void Awk_is_mawk_through_alternatives()
    {
        Assert.Equal("/etc/alternatives/awk", new FileInfo(Path.Combine(fx.Root, "usr/bin/awk")).LinkTarget);
        Assert.Equal("/usr/bin/mawk", new FileInfo(Path.Combine(fx.Root, "etc/alternatives/awk")).LinkTarget);
        var r = Chroot("awk", "BEGIN{print 1}");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("1\n", r.StdOut);
    }

    [Fact]
    public void No_mount_is_left_on_the_host()
    {
        Assert.Equal(fx.MountsBefore, fx.MountsAfter);
        Assert.DoesNotContain(fx.MountsAfter, m => m.StartsWith(fx.Root, StringComparison.Ordinal));
    }
}
