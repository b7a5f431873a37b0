using Bootstrapper.Core.Architectures;
using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Pipeline;

namespace Bootstrapper.Tests.Core.Architectures;

/// <summary>
/// Whether this host can run a target's programs: natively, in compat mode, or through a binfmt_misc registration
/// with the F flag. The binfmt directory is a folder of the test's, written the way the kernel shows entries.
/// </summary>
public sealed class ArchitectureSupportTests : IDisposable
{
    private readonly string _binfmt = Directory.CreateTempSubdirectory("binfmt-").FullName;

    public void Dispose() => Directory.Delete(_binfmt, true);

    // Debian's qemu-user-static registrations as /proc/sys/fs/binfmt_misc shows them (flags as update-binfmts sets).
    private const string Aarch64 = "magic 7f454c460201010000000000000000000200b700\nmask ffffffffffffff00fffffffffffffffffeffffff\n";
    private const string S390x = "magic 7f454c4602020100000000000000000000020016\nmask fffffffffffffffcfffffffffffffffffffeffff\n";

    private void Register(string name, string flags, string magicAndMask, bool enabled = true) =>
        File.WriteAllText(Path.Combine(_binfmt, name),
            $"{(enabled ? "enabled" : "disabled")}\ninterpreter /usr/libexec/qemu-binfmt/{name[5..]}-binfmt-P\nflags: {flags}\noffset 0\n{magicAndMask}");

    private readonly List<CpuArchitecture> _probed = [];
    private bool _compatRuns = true;

    private (ArchitectureRunner, string?) Require(string arch, CpuArchitecture? host = null) =>
        ArchitectureSupport.Require(arch, host ?? CpuArchitecture.X86_64, _binfmt, target => { _probed.Add(target); return _compatRuns; });

    private string Refusal(string arch)
    {
        var e = Assert.Throws<RecipeException>(() => Require(arch));
        Assert.Equal(ExitCodes.UsageOrRecipe, e.ExitCode);
        return e.Message;
    }

    [Fact]
    public void The_hosts_own_architecture_runs_natively_in_either_naming()
    {
        Assert.Equal((ArchitectureRunner.Native, null), Require("amd64"));
        Assert.Equal((ArchitectureRunner.Native, null), Require("x86_64"));
        Assert.Equal((ArchitectureRunner.Native, null), Require("aarch64", CpuArchitecture.Aarch64));
    }

    [Fact]
    public void Compat_modes_need_no_emulation()
    {
        Assert.Equal((ArchitectureRunner.Compat, null), Require("i386"));
        Assert.Equal((ArchitectureRunner.Compat, null), Require("x86"));
        Assert.Equal((ArchitectureRunner.Compat, null), Require("armhf", CpuArchitecture.Aarch64));
        Assert.Equal((ArchitectureRunner.Compat, null), Require("armv7", CpuArchitecture.Aarch64));
    }

    [Fact]
    public void Compat_mode_is_probed_and_only_for_compat_targets()
    {
        Require("i386");
        Require("amd64");
        Register("qemu-aarch64", "PF", Aarch64);
        Require("arm64");
        Require("armhf", CpuArchitecture.Aarch64);
        Assert.Equal([CpuArchitecture.I386, CpuArchitecture.Arm], _probed);
    }

    [Fact]
    public void When_the_compat_probe_fails_the_refusal_says_compat_mode_is_off()
    {
        _compatRuns = false;
        File.WriteAllText(Path.Combine(_binfmt, "status"), "enabled\n");
        Assert.Equal(
            "this x86_64 host cannot run i386 (i386) programs, which the packages' maintainer scripts are (a i386 test " +
            "program did not run: the kernel's compat mode is off, e.g. ia32_emulation=0 on the kernel command line, or " +
            $"the CPU has none): no binfmt_misc entry in {_binfmt} runs them. Install qemu-user emulation: apt-get install " +
            "qemu-user-static binfmt-support (then update-binfmts --enable qemu-i386), or build on a i386 machine", Refusal("i386"));
    }

    [Fact]
    public void When_compat_mode_is_off_an_F_registration_still_runs_the_target()
    {
        _compatRuns = false;
        Register("qemu-arm", "PF", "magic 7f454c4601010100000000000000000002002800\nmask ffffffffffffff00fffffffffffffffffeffffff\n");
        Assert.Equal((ArchitectureRunner.Emulated, "/usr/libexec/qemu-binfmt/arm-binfmt-P"), Require("armhf", CpuArchitecture.Aarch64));
    }

    [Fact]
    public void The_real_probe_runs_an_i386_program_here_and_refuses_a_broken_one()
    {
        if (ArchitectureSupport.Host != CpuArchitecture.X86_64) return;     // CI and development machines are amd64
        Assert.True(CompatProbe.Runs(CpuArchitecture.I386));
        var broken = ExitZeroElf.For(CpuArchitecture.I386);
        broken[18] = 0; broken[19] = 0;                                     // e_machine EM_NONE: no kernel runs that
        Assert.False(CompatProbe.Runs(broken));
        var failing = ExitZeroElf.For(CpuArchitecture.I386);
        failing[HeaderAndProgramHeader] = 0x43;                             // xor ebx,ebx -> inc ebx; inc ebx: exit status 2
        failing[HeaderAndProgramHeader + 1] = 0x43;
        Assert.False(CompatProbe.Runs(failing));
    }

    private const int HeaderAndProgramHeader = 52 + 32;

    [Fact]
    public void The_arm_probe_program_exits_zero_under_qemu_arm()
    {
        // No arm64 machine here: the ARM program is checked through the host's qemu-arm registration (F flag), when present.
        if (!File.Exists("/proc/sys/fs/binfmt_misc/qemu-arm")) return;
        Assert.True(CompatProbe.Runs(ExitZeroElf.For(CpuArchitecture.Arm)));
    }

    [Fact]
    public void A_registration_with_the_F_flag_is_used_whatever_its_name()
    {
        Register("qemu-aarch64", "PF", Aarch64);
        Assert.Equal((ArchitectureRunner.Emulated, "/usr/libexec/qemu-binfmt/aarch64-binfmt-P"), Require("arm64"));
        Assert.Equal((ArchitectureRunner.Emulated, "/usr/libexec/qemu-binfmt/aarch64-binfmt-P"), Require("aarch64"));
        File.Move(Path.Combine(_binfmt, "qemu-aarch64"), Path.Combine(_binfmt, "my-arm64"));
        Assert.Equal(ArchitectureRunner.Emulated, Require("arm64").Item1);
    }

    [Fact]
    public void A_big_endian_target_matches_its_own_magic_only()
    {
        Register("qemu-s390x", "F", S390x);
        Assert.Equal(ArchitectureRunner.Emulated, Require("s390x").Item1);
        Assert.StartsWith("this x86_64 host cannot run ppc64el (ppc64le) programs", Refusal("ppc64el"));
    }

    [Fact]
    public void Without_any_registration_the_refusal_names_the_packages()
    {
        File.WriteAllText(Path.Combine(_binfmt, "status"), "enabled\n");
        Assert.Equal(
            "this x86_64 host cannot run arm64 (aarch64) programs, which the packages' maintainer scripts are: no " +
            $"binfmt_misc entry in {_binfmt} runs them. Install qemu-user emulation: apt-get install qemu-user-static " +
            "binfmt-support (then update-binfmts --enable qemu-aarch64), or build on a aarch64 machine", Refusal("arm64"));
    }

    [Fact]
    public void An_empty_directory_is_binfmt_misc_not_mounted()
    {
        Assert.Equal(
            "this x86_64 host cannot run armhf (arm) programs, which the packages' maintainer scripts are: no " +
            $"binfmt_misc entry in {_binfmt} runs them (binfmt_misc is not mounted there). Install qemu-user emulation: " +
            "apt-get install qemu-user-static binfmt-support (then update-binfmts --enable qemu-arm, after mount -t " +
            $"binfmt_misc binfmt_misc {_binfmt}), or build on a arm machine", Refusal("armhf"));
    }

    [Fact]
    public void A_registration_without_F_is_refused_because_the_sandbox_cannot_reach_its_interpreter()
    {
        Register("qemu-aarch64", "P", Aarch64);
        Assert.Equal(
            "this x86_64 host cannot run arm64 (aarch64) programs, which the packages' maintainer scripts are: " +
            "binfmt_misc's 'qemu-aarch64' (/usr/libexec/qemu-binfmt/aarch64-binfmt-P) is registered without the F " +
            "(fix-binary) flag, so the interpreter cannot be found inside the build's sandbox. Register it with F " +
            "(Debian's qemu-user-static binfmt-support do: apt-get install qemu-user-static binfmt-support; " +
            "update-binfmts --enable qemu-aarch64)", Refusal("arm64"));
    }

    [Fact]
    public void A_disabled_registration_does_not_count()
    {
        Register("qemu-aarch64", "PF", Aarch64, enabled: false);
        Assert.Contains("no binfmt_misc entry", Refusal("arm64"));
    }

    [Fact]
    public void An_unknown_architecture_is_a_recipe_error() =>
        Assert.StartsWith("architecture 'vax' is not one bootstrap can build: use one of amd64, arm64", Refusal("vax"));
}
