namespace Bootstrapper.Core.Debian.Control;

/// <summary>
/// Reads what dpkg is doing from its output: "Setting up libc6:amd64 (2.36-9) ..." is printed before the package's
/// postinst runs, so the step it names is the one a slow moment of the install waits for.
/// </summary>
internal static class DpkgStatusLine
{
    /// <summary>"configuring libc6:amd64", "unpacking dpkg", "processing triggers of libc-bin", an installer step
    /// ("# extracting 30 essential packages", first line only), or null for any other line.</summary>
    public static string? StepOf(string line)
    {
        // The command echo before each chroot run ("# chroot: /bin/sh -c SCRIPT...") names no step a reader knows;
        // the installer's own step line before it does.
        if (line.StartsWith("# chroot: ", StringComparison.Ordinal)) return null;
        if (line.StartsWith("# ", StringComparison.Ordinal)) return line.AsSpan(2).Trim() is var step && step.IndexOf('\n') is >= 0 and var nl
            ? step[..nl].ToString() : step.ToString();
        if (Named(line, "Setting up ") is { } configured) return "configuring " + configured;
        if (Named(line, "Unpacking ") is { } unpacked) return "unpacking " + unpacked;
        if (Named(line, "Processing triggers for ") is { } triggered) return "processing triggers of " + triggered;
        return null;
    }

    /// <summary>The package name after <paramref name="prefix"/>, up to the space before "(VERSION)".</summary>
    private static string? Named(string line, string prefix)
    {
        if (!line.StartsWith(prefix, StringComparison.Ordinal)) return null;
        var rest = line.AsSpan(prefix.Length);
        var end = rest.IndexOf(' ');
        return end <= 0 ? null : rest[..end].ToString();
    }
}
