namespace Bootstrapper.Core.Architectures;

/// <summary>
/// One registration as the kernel shows it in /proc/sys/fs/binfmt_misc/NAME:
/// <code>
/// enabled
/// interpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P
/// flags: PF
/// offset 0
/// magic 7f454c460201010000000000000000000200b700
/// mask ffffffffffffff00fffffffffffffffffeffffff
/// </code>
/// </summary>
internal sealed record BinfmtEntry(string Name, bool Enabled, string Interpreter, string Flags, int Offset, byte[]? Magic, byte[]? Mask)
{
    /// <summary>
    /// F (fix binary): the kernel opened the interpreter when it was registered. Without it the interpreter is
    /// looked up at every exec, in the mount namespace of the program being started; inside our sandbox, whose root
    /// is the staging root with the host detached, /usr/libexec/qemu-binfmt/... does not exist there.
    /// </summary>
    public bool FixBinary => Flags.Contains('F');

    public static BinfmtEntry Parse(string name, string text)
    {
        bool enabled = false;
        string interpreter = "", flags = "";
        int offset = 0;
        byte[]? magic = null, mask = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line == "enabled") enabled = true;
            else if (line.StartsWith("interpreter ", StringComparison.Ordinal)) interpreter = line[12..];
            else if (line.StartsWith("flags:", StringComparison.Ordinal)) flags = line[6..].Trim();
            else if (line.StartsWith("offset ", StringComparison.Ordinal)) offset = int.TryParse(line[7..], out var o) ? o : 0;
            else if (line.StartsWith("magic ", StringComparison.Ordinal)) magic = Hex(line[6..]);
            else if (line.StartsWith("mask ", StringComparison.Ordinal)) mask = Hex(line[5..]);
        }
        return new BinfmtEntry(name, enabled, interpreter, flags, offset, magic, mask);
    }

    /// <summary>Whether the kernel would hand <paramref name="header"/> (a file's first bytes) to this interpreter.</summary>
    public bool Matches(ReadOnlySpan<byte> header)
    {
        if (Magic is null || Offset < 0 || Offset + Magic.Length > header.Length) return false;
        for (int i = 0; i < Magic.Length; i++)
        {
            byte m = Mask is not null && i < Mask.Length ? Mask[i] : (byte)0xff;
            if ((header[Offset + i] & m) != (Magic[i] & m)) return false;
        }
        return true;
    }

    private static byte[]? Hex(string s)
    {
        try { return Convert.FromHexString(s.Trim()); }
        catch (FormatException) { return null; }
    }
}
