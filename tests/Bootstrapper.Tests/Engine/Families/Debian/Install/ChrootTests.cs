using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Families.Debian.Install;
using Bootstrapper.Engine.Os.Processes;
using Bootstrapper.Engine.Sandbox;

namespace Bootstrapper.Tests.Engine.Families.Debian.Install;

public sealed class ChrootTests
{
    [Theory]
    [InlineData(1u, 3u, 0x103ul)]
    [InlineData(5u, 1u, 0x501ul)]
    [InlineData(259u, 70000u, 0x11110370ul)]        // values from Python's os.makedev (glibc)
    [InlineData(4096u, 1u, 0x100000000001ul)]
    public void MakeDev_matches_glibc(uint major, uint minor, ulong dev) => Assert.Equal(dev, ChrootDevices.MakeDev(major, minor));

    [Fact]
    public void Command_line_runs_the_command_through_the_sandbox_helper_in_the_root()
    {
        var r = new ChrootRunner("/srv/root", null, null);
        Assert.Equal(["--umask", "22", "/srv/root", "--", "dpkg", "--audit"], r.CommandLine(["dpkg", "--audit"]));
        Assert.Equal(["--network", "--umask", "77", "/srv/root", "--", "true"],
            SandboxCommand.Arguments("/srv/root", ["true"], network: true, umask: 0x3F));
    }

    [Fact]
    public void Environment_is_mmdebstrap_like_and_passes_SOURCE_DATE_EPOCH_only_when_set()
    {
        var without = ChrootRunner.BuildEnvironment(null);
        Assert.Equal("noninteractive", without["DEBIAN_FRONTEND"]);
        Assert.Equal("true", without["DEBCONF_NONINTERACTIVE_SEEN"]);
        Assert.Equal("C.UTF-8", without["LC_ALL"]);
        Assert.Equal(ChrootRunner.ChrootPath, without["PATH"]);
        Assert.False(without.ContainsKey("SOURCE_DATE_EPOCH"));
        Assert.False(without.ContainsKey("TMPDIR"));
        Assert.Equal("1700000000", ChrootRunner.BuildEnvironment(1_700_000_000)["SOURCE_DATE_EPOCH"]);
        Assert.Throws<ArgumentOutOfRangeException>(() => ChrootRunner.BuildEnvironment(-1));
    }

    [Fact]
    public void Relative_root_is_rejected() =>
        Assert.Throws<ArgumentException>(() => new ChrootRunner("relative/root", null, null));

    [Fact]
    public void Devices_are_created_with_official_image_modes()
    {
        if (OperatingSystem.IsWindows() || !Privileges.IsRoot) return;    // mknod needs root; CI runs as root
        var root = Directory.CreateTempSubdirectory("bootstrap-dev-").FullName;
        try
        {
            ChrootDevices.Create(root);
            ChrootDevices.Create(root);      // idempotent
            foreach (var (name, _, _) in ChrootDevices.CharDevices)
                Assert.Equal((UnixFileMode)0x1B6, File.GetUnixFileMode(Path.Combine(root, "dev", name)));
            Assert.Equal("/proc/self/fd/0", new FileInfo(Path.Combine(root, "dev/stdin")).LinkTarget);
            Assert.True(Directory.Exists(Path.Combine(root, "dev/pts")));
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public void Device_link_in_the_way_is_an_error()
    {
        if (OperatingSystem.IsWindows() || !Privileges.IsRoot) return;
        var root = Directory.CreateTempSubdirectory("bootstrap-dev-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "dev"));
            File.WriteAllText(Path.Combine(root, "dev/fd"), "not a link");
            var ex = Assert.Throws<InstallException>(() => ChrootDevices.Create(root));
            Assert.Contains("dev/fd exists but is not a symbolic link to /proc/self/fd", ex.Message);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public void Non_root_gets_the_needs_privileges_exit_code_and_advice()
    {
        var ex = Assert.Throws<BootstrapException>(() => Privileges.Check(isRoot: false, "Installing Debian packages"));
        Assert.Equal(ExitCodes.NeedsPrivileges, ex.ExitCode);
        Assert.StartsWith("Installing Debian packages needs root:", ex.Message);
        Assert.Contains("Run the build as root", ex.Message);
    }
}
