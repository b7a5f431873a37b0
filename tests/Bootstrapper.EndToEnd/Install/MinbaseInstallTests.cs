using Bootstrapper.Engine.Families.Debian.Install;

namespace Bootstrapper.EndToEnd.Install;

/// <summary>
/// bookworm minbase (88 packages) installed by <see cref="Installer"/> and finalized,
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
        // Compared under the root only: other builds on this machine may mount and unmount elsewhere meanwhile.
        Assert.Empty(fx.MountsLeft);
    }

    [Fact]
    public void File_list_matches_debootstrap_minbase_up_to_listed_reasons()
    {
        var reference = FileListComparison.Parse(File.ReadAllLines(FileListComparison.ReferencePath()));
        var ours = FileListComparison.Parse(fx.FileList);
        var problems = FileListComparison.Unexplained(reference, ours, output.WriteLine);
        output.WriteLine($"debootstrap {reference.Count} entries, ours {ours.Count}");
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(50)));
    }

    [Fact]
    public void Shadow_last_change_is_the_day_of_SOURCE_DATE_EPOCH_written_by_the_shadow_tools()
    {
        var day = (MinbaseInstallFixture.Epoch / 86400).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var lines = File.ReadAllLines(Path.Combine(fx.Root, "etc/shadow"));
        Assert.Contains(lines, l => l.StartsWith("root:", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.Equal(day, l.Split(':')[2]));
        // The tools honoured SOURCE_DATE_EPOCH themselves: the finalizer's clamp had nothing to do.
        Assert.DoesNotContain("etc/shadow", fx.FinalizeChanges);
    }

    [Fact]
    public void Finalized_root_has_no_build_host_state()
    {
        foreach (var rel in new[] { "etc/hostname", "etc/resolv.conf", "etc/machine-id", "var/log/dpkg.log", "var/log/alternatives.log",
                     "var/cache/ldconfig/aux-cache", "var/lib/dpkg/status-old", "usr/sbin/policy-rc.d", "var/cache/bootstrap-debs",
                     "usr/sbin/start-stop-daemon.REAL" })
            Assert.False(File.Exists(Path.Combine(fx.Root, rel)) || Directory.Exists(Path.Combine(fx.Root, rel)), rel + " should be absent");
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(fx.Root, "var/log/apt")));
        Assert.Equal(["partial"], Directory.GetFileSystemEntries(Path.Combine(fx.Root, "var/lib/apt/lists")).Select(Path.GetFileName));
        var sources = File.ReadAllText(Path.Combine(fx.Root, "etc/apt/sources.list.d/debian.sources"));
        Assert.Contains("URIs: " + HostTools.HostDebianMirror("bookworm") + "\n", sources);
        Assert.DoesNotContain("file:", sources);
    }

    [Fact]
    public void Start_stop_daemon_is_the_real_binary_and_not_diverted()
    {
        var ssd = File.ReadAllBytes(Path.Combine(fx.Root, "usr/sbin/start-stop-daemon"));
        Assert.Equal("\u007fELF"u8.ToArray(), ssd[..4]);
        var r = Chroot("dpkg-divert", "--list", "*start-stop-daemon*");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.StdOut);
    }

    [Fact]
    public void Dev_has_the_static_nodes_of_the_official_images()
    {
        var byPath = FileListComparison.Parse(fx.FileList);
        foreach (var n in new[] { "console", "full", "null", "ptmx", "random", "tty", "urandom", "zero" })
            Assert.Equal("c 666 0:0", byPath["dev/" + n]);
        Assert.Equal("d 755 0:0", byPath["dev/pts"]);
        Assert.Equal("d 755 0:0", byPath["dev/shm"]);
        Assert.Equal("/proc/self/fd", new FileInfo(Path.Combine(fx.Root, "dev/fd")).LinkTarget);
        Assert.Equal("/proc/self/fd/2", new FileInfo(Path.Combine(fx.Root, "dev/stderr")).LinkTarget);
        var r = HostTools.RunOk("/usr/bin/stat", "-c", "%t,%T", Path.Combine(fx.Root, "dev/urandom"));
        Assert.Equal("1,9\n", r);
    }

    [Fact]
    public void A_second_install_with_the_same_epoch_has_identical_content()
    {
        var second = MinbaseInstallFixture.NewRootPath();
        try
        {
            var (timings, _, _) = MinbaseInstallFixture.InstallAndFinalize(second, fx.Packages);
            output.WriteLine($"second install: extract {timings.Extract.TotalSeconds:F1} s, essential {timings.Essential.TotalSeconds:F1} s, " +
                             $"remaining {timings.Remaining.TotalSeconds:F1} s");
            var other = HostTools.ContentManifest(second);
            var diffs = fx.Manifest.Keys.Union(other.Keys).Order(StringComparer.Ordinal)
                .Where(k => fx.Manifest.GetValueOrDefault(k) != other.GetValueOrDefault(k))
                .Select(k => $"{k}: {fx.Manifest.GetValueOrDefault(k) ?? "(absent)"} / {other.GetValueOrDefault(k) ?? "(absent)"}")
                .ToList();
            Assert.True(diffs.Count == 0, string.Join("\n", diffs.Take(30)));
            Assert.True(fx.Manifest.Count > 6000);
        }
        finally
        {
            MinbaseInstallFixture.Remove(second);
        }
    }
}
