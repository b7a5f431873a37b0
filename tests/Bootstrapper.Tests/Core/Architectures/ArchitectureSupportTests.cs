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

    private (ArchitectureRunner, string?) Require(string arch, CpuArchitecture? host = null) =>
        ArchitectureSupport.Require(arch, host ?? CpuArchitecture.X86_64, _binfmt);

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
