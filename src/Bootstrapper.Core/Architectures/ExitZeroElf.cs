namespace Bootstrapper.Core.Architectures;

/// <summary>
/// The smallest program of a 32-bit compat architecture that only exits with status 0: an ELF header, one loadable
/// segment and three instructions. The build executes it before downloading to learn whether the kernel really
/// runs that architecture's programs (IA32 emulation can be off: ia32_emulation=0; many aarch64 CPUs have no AArch32).
/// </summary>
internal static class ExitZeroElf
{
    private const uint LoadAddress = 0x10000;     // above every vm.mmap_min_addr default
    private const int HeaderSize = 52, ProgramHeaderSize = 32;

    /// <summary>The compat architectures this knows the instructions of.</summary>
    public static bool Knows(CpuArchitecture target) => Code(target) is not null;

    /// <summary>The program for <paramref name="target"/>; throws for an architecture <see cref="Knows"/> refuses.</summary>
    public static byte[] For(CpuArchitecture target)
    {
        var code = Code(target) ?? throw new ArgumentException($"no exit-0 program for {target.Machine}", nameof(target));
        int size = HeaderSize + ProgramHeaderSize + code.Length;
        var elf = new byte[size];
        var header = target.ElfHeader();           // e_ident, e_type = ET_EXEC, e_machine
        header.CopyTo(elf, 0);
        Put32(elf, 20, 1);                         // e_version
        Put32(elf, 24, LoadAddress + (HeaderSize + ProgramHeaderSize)); // e_entry
        Put32(elf, 28, HeaderSize);                // e_phoff
        Put32(elf, 36, target == CpuArchitecture.Arm ? 0x05000000u : 0); // e_flags: ARM EABI version 5
        Put16(elf, 40, HeaderSize);                // e_ehsize
        Put16(elf, 42, ProgramHeaderSize);         // e_phentsize
        Put16(elf, 44, 1);                         // e_phnum
        Put16(elf, 46, 40);                        // e_shentsize (no section headers follow)
        int ph = HeaderSize;
        Put32(elf, ph, 1);                         // PT_LOAD
        Put32(elf, ph + 4, 0);                     // p_offset: the whole file
        Put32(elf, ph + 8, LoadAddress);           // p_vaddr
        Put32(elf, ph + 12, LoadAddress);          // p_paddr
        Put32(elf, ph + 16, (uint)size);           // p_filesz
        Put32(elf, ph + 20, (uint)size);           // p_memsz
        Put32(elf, ph + 24, 5);                    // PF_R | PF_X
        Put32(elf, ph + 28, 0x1000);               // p_align
        code.CopyTo(elf, HeaderSize + ProgramHeaderSize);
        return elf;
    }

    private static byte[]? Code(CpuArchitecture target) =>
        target == CpuArchitecture.I386
            // xor ebx, ebx; mov eax, 252 (exit_group); int 0x80
            ? [0x31, 0xDB, 0xB8, 0xFC, 0x00, 0x00, 0x00, 0xCD, 0x80]
            : target == CpuArchitecture.Arm
                // mov r0, #0; mov r7, #248 (exit_group); svc #0 (little-endian A32)
                ? [0x00, 0x00, 0xA0, 0xE3, 0xF8, 0x70, 0xA0, 0xE3, 0x00, 0x00, 0x00, 0xEF]
                : null;

    private static void Put16(byte[] b, int at, ushort v) { b[at] = (byte)v; b[at + 1] = (byte)(v >> 8); }
    private static void Put32(byte[] b, int at, uint v) { for (int i = 0; i < 4; i++) b[at + i] = (byte)(v >> (8 * i)); }
}
