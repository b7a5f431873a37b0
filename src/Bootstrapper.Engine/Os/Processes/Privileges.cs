using System.Runtime.InteropServices;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Engine.Os.Processes;

/// <summary>Checks for the privileges that chroot, mount namespaces and mknod need.</summary>
internal static class Privileges
{
    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEffectiveUserId();

    public static bool IsRoot => OperatingSystem.IsLinux() && GetEffectiveUserId() == 0;

    /// <summary>Throws <see cref="ExitCodes.NeedsPrivileges"/> unless the effective user is root.</summary>
    /// <param name="what">What needs root, for the message ("configuring packages").</param>
    public static void EnsureRoot(string what)
    {
        if (!OperatingSystem.IsLinux())
            throw new BootstrapException(ExitCodes.NeedsPrivileges,
                $"{what} needs Linux (chroot, mount namespaces, device nodes); this is {RuntimeInformation.OSDescription}.");
        Check(IsRoot, what);
    }

    internal static void Check(bool isRoot, string what)
    {
        if (!isRoot)
            throw new BootstrapException(ExitCodes.NeedsPrivileges,
                $"{what} needs root: it runs maintainer scripts in a chroot inside a private mount namespace and " +
                "creates device nodes. Run the build as root (for example with sudo), or stop after the download " +
                "stage.");
    }
}
