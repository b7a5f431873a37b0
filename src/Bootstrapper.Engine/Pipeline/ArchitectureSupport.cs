using System.Runtime.InteropServices;
using Bootstrapper.Core.Architectures;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Engine.Pipeline;

/// <summary>How this host runs the target architecture's programs (maintainer scripts, dpkg, apk's scripts).</summary>
internal enum ArchitectureRunner { Native, Compat, Emulated }

/// <summary>
/// Before the plan and any download: can this host run the target's binaries? Natively, through the kernel's
/// compat mode (i386 on amd64, armhf on arm64), or through a binfmt_misc registration with the F flag (qemu-user).
/// The recorded unpack needs none of this; the maintainer scripts do.
/// </summary>
internal static class ArchitectureSupport
{
    public const string DefaultBinfmtDirectory = "/proc/sys/fs/binfmt_misc";
    private const string Packages = "qemu-user-static binfmt-support";

    /// <summary>The CPU of this host's processes.</summary>
    public static CpuArchitecture Host => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => CpuArchitecture.X86_64,
        Architecture.X86 => CpuArchitecture.I386,
        Architecture.Arm64 => CpuArchitecture.Aarch64,
        Architecture.Arm or Architecture.Armv6 => CpuArchitecture.Arm,
        Architecture.Ppc64le => CpuArchitecture.Ppc64le,
        Architecture.S390x => CpuArchitecture.S390x,
        Architecture.RiscV64 => CpuArchitecture.Riscv64,
        Architecture.LoongArch64 => CpuArchitecture.Loongarch64,
        var other => new CpuArchitecture(other.ToString().ToLowerInvariant(), true, false, 0),
    };

    /// <summary>
    /// How <paramref name="architecture"/> (the recipe's, dpkg's or apk's naming) runs here; refuses with exit 2,
    /// naming what to install, when it cannot. <paramref name="binfmtDirectory"/>: where binfmt_misc is mounted
    /// (tests point it at their own directory).
    /// </summary>
    public static (ArchitectureRunner Runner, string? Interpreter) Require(string architecture, string? binfmtDirectory = null) =>
        Require(architecture, Host, binfmtDirectory ?? DefaultBinfmtDirectory, CompatProbe.Runs);

    /// <param name="compatRuns">Runs a program of a compat architecture and says whether it worked (<see cref="CompatProbe"/>).</param>
    public static (ArchitectureRunner Runner, string? Interpreter) Require(string architecture, CpuArchitecture host, string binfmtDirectory,
        Func<CpuArchitecture, bool> compatRuns)
    {
        var target = CpuArchitecture.Of(architecture)
            ?? throw new RecipeException($"architecture '{architecture}' is not one bootstrap can build: use one of amd64, arm64, armhf, " +
                                         "armel, i386, ppc64el, s390x, riscv64, mips64el, loong64 (Debian) or x86_64, aarch64, armv7, " +
                                         "armhf, x86, ppc64le, s390x, riscv64, loongarch64 (Alpine)");
        if (target == host) return (ArchitectureRunner.Native, null);
        // Compat mode is probed, not assumed: the kernel may have it off, the CPU may lack it.
        bool compatOff = host.RunsNatively(target) && !compatRuns(target);
        if (host.RunsNatively(target) && !compatOff) return (ArchitectureRunner.Compat, null);

        var header = target.ElfHeader();
        var matching = Entries(binfmtDirectory).Where(e => e.Enabled && e.Matches(header)).ToList();
        if (matching.FirstOrDefault(e => e.FixBinary) is { } usable) return (ArchitectureRunner.Emulated, usable.Interpreter);
        var why = $"this {host.Machine} host cannot run {architecture} ({target.Machine}) programs, which the packages' " +
                  "maintainer scripts are" +
                  (compatOff ? $" (a {target.Machine} test program did not run: the kernel's compat mode is off, e.g. " +
                               "ia32_emulation=0 on the kernel command line, or the CPU has none)" : "");
        if (matching.Count > 0)
            throw new RecipeException(
                $"{why}: binfmt_misc's '{matching[0].Name}' ({matching[0].Interpreter}) is registered without the F (fix-binary) " +
                "flag, so the interpreter cannot be found inside the build's sandbox. Register it with F (Debian's " +
                $"{Packages} do: apt-get install {Packages}; update-binfmts --enable qemu-{target.Machine})");
        var mounted = File.Exists(Path.Combine(binfmtDirectory, "status"));
        throw new RecipeException(
            $"{why}: no binfmt_misc entry in {binfmtDirectory} runs them{(mounted ? "" : " (binfmt_misc is not mounted there)")}. " +
            $"Install qemu-user emulation: apt-get install {Packages} (then update-binfmts --enable qemu-{target.Machine}" +
            $"{(mounted ? "" : $", after mount -t binfmt_misc binfmt_misc {binfmtDirectory}")}), or build on a {target.Machine} machine");
    }

    private static IEnumerable<BinfmtEntry> Entries(string directory)
    {
        if (!Directory.Exists(directory)) yield break;
        foreach (var path in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            if (name is "register" or "status") continue;
            string text;
            try { text = File.ReadAllText(path); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            yield return BinfmtEntry.Parse(name, text);
        }
    }
}
