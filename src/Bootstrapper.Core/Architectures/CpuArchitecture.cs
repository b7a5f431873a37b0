namespace Bootstrapper.Core.Architectures;

/// <summary>
/// What the kernel needs to know to run a program of an architecture: the ELF class, byte order and machine its
/// binaries carry, and the name qemu-user and binfmt_misc use for it (qemu-aarch64, qemu-arm...).
/// </summary>
/// <param name="Machine">qemu's name, which is also uname -m's for most (aarch64, arm, ppc64le, s390x).</param>
/// <param name="Is64Bit">ELFCLASS64 rather than ELFCLASS32.</param>
/// <param name="BigEndian">ELFDATA2MSB (s390x) rather than ELFDATA2LSB.</param>
/// <param name="ElfMachine">e_machine (EM_AARCH64 = 183...).</param>
internal sealed record CpuArchitecture(string Machine, bool Is64Bit, bool BigEndian, ushort ElfMachine)
{
    public static readonly CpuArchitecture X86_64 = new("x86_64", true, false, 62);
    public static readonly CpuArchitecture I386 = new("i386", false, false, 3);
    public static readonly CpuArchitecture Aarch64 = new("aarch64", true, false, 183);
    public static readonly CpuArchitecture Arm = new("arm", false, false, 40);
    public static readonly CpuArchitecture Ppc64le = new("ppc64le", true, false, 21);
    public static readonly CpuArchitecture S390x = new("s390x", true, true, 22);
    public static readonly CpuArchitecture Riscv64 = new("riscv64", true, false, 243);
    public static readonly CpuArchitecture Mips64el = new("mips64el", true, false, 8);
    public static readonly CpuArchitecture Mipsel = new("mipsel", false, false, 8);
    public static readonly CpuArchitecture Loongarch64 = new("loongarch64", true, false, 258);

    /// <summary>
    /// The CPU of a package architecture, in dpkg's naming (amd64, arm64, armhf, ppc64el...) or apk's (x86_64,
    /// aarch64, armv7, x86...), or null when this table does not know it. Both namings meet in one table because a
    /// name never means different CPUs in the two (armhf is ARM in both).
    /// </summary>
    public static CpuArchitecture? Of(string packageArchitecture) => packageArchitecture switch
    {
        "amd64" or "x86_64" => X86_64,
        "i386" or "x86" => I386,
        "arm64" or "aarch64" => Aarch64,
        "armhf" or "armel" or "armv7" => Arm,
        "ppc64el" or "ppc64le" => Ppc64le,
        "s390x" => S390x,
        "riscv64" => Riscv64,
        "mips64el" => Mips64el,
        "mipsel" => Mipsel,
        "loong64" or "loongarch64" => Loongarch64,
        _ => null,
    };

    /// <summary>
    /// Architectures a CPU of this one runs without emulation through the kernel's compat mode: 32-bit x86 on
    /// x86-64 (IA32 emulation, on in Debian's kernels) and 32-bit ARM on aarch64 (where the CPU has AArch32).
    /// </summary>
    public bool RunsNatively(CpuArchitecture target) =>
        target == this || (this == X86_64 && target == I386) || (this == Aarch64 && target == Arm);

    /// <summary>
    /// The first 20 bytes of an executable of this architecture (e_ident, e_type = ET_EXEC, e_machine): what a
    /// binfmt_misc magic is matched against.
    /// </summary>
    public byte[] ElfHeader()
    {
        var h = new byte[20];
        h[0] = 0x7f; h[1] = (byte)'E'; h[2] = (byte)'L'; h[3] = (byte)'F';
        h[4] = (byte)(Is64Bit ? 2 : 1);
        h[5] = (byte)(BigEndian ? 2 : 1);
        h[6] = 1;
        Put(h, 16, 2);
        Put(h, 18, ElfMachine);
        return h;
    }

    private void Put(byte[] h, int at, ushort value)
    {
        h[at + (BigEndian ? 1 : 0)] = (byte)value;
        h[at + (BigEndian ? 0 : 1)] = (byte)(value >> 8);
    }
}
