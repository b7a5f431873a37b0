using System.ComponentModel;
using System.Diagnostics;
using Bootstrapper.Core.Architectures;
using Bootstrapper.Engine.Os.Native;
using Microsoft.Win32.SafeHandles;

namespace Bootstrapper.Engine.Pipeline;

/// <summary>
/// Asks the kernel whether it runs a compat architecture's programs by running one: <see cref="ExitZeroElf"/>, from an
/// in-memory file (a noexec /tmp cannot spoil the answer), executed through /proc/PID/fd. The CPU alone does not tell:
/// IA32 emulation can be switched off (ia32_emulation=0), and many aarch64 CPUs have no AArch32 at all.
/// </summary>
internal static class CompatProbe
{
    /// <summary>Whether the kernel runs <paramref name="target"/>'s programs (natively or through any binfmt handler).</summary>
    public static bool Runs(CpuArchitecture target) => !ExitZeroElf.Knows(target) || Runs(ExitZeroElf.For(target));

    /// <summary>Whether <paramref name="program"/> runs here and exits with status 0 within ten seconds.</summary>
    public static bool Runs(byte[] program)
    {
        int fd = LibC.TryMemfdCreate("bootstrap-compat-probe");
        string? file = null;
        using var handle = fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : null;
        try
        {
            string path;
            if (handle is not null)
            {
                RandomAccess.Write(handle, program, 0);
                path = $"/proc/{Environment.ProcessId}/fd/{fd}";
            }
            else
            {
                file = Path.Combine(Path.GetTempPath(), $"bootstrap-compat-probe-{Guid.NewGuid():N}");
                File.WriteAllBytes(file, program);
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserExecute);
                path = file;
            }
            using var process = Process.Start(new ProcessStartInfo(path)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill();
                return false;
            }
            return process.ExitCode == 0;
        }
        catch (Win32Exception)
        {
            return false;     // ENOEXEC: no handler for the format
        }
        finally
        {
            if (file is not null) File.Delete(file);
        }
    }
}
