using System.Reflection;
using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Pipeline;
using Bootstrapper.Engine.Rootless;

namespace Bootstrapper.Cli.Commands;

/// <summary>
/// Picks the build mode and, for an unprivileged build, checks everything it needs and re-executes the command in
/// its user namespace (see <see cref="RootlessLauncher"/>). All of this happens before the first download.
/// </summary>
internal static class RootlessEntry
{
    public static async Task EnterIfNeededAsync(BuildMode mode, BuildOptions options, CancellationToken ct)
    {
        if (UserNamespace.IsInside) return;               // the re-executed build: go on as root of the namespace
        var uid = UserNamespace.EffectiveUid;
        var effective = mode == BuildMode.Auto ? (uid == 0 ? BuildMode.Root : BuildMode.Unshare) : mode;
        if (effective == BuildMode.Root)
        {
            if (uid != 0)
                throw new BootstrapException(ExitCodes.NeedsPrivileges,
                    "--mode root needs root: run the build as root (for example with sudo), or use --mode unshare " +
                    "(the default for other users) to build in a user namespace.");
            return;
        }
        await new RootlessPreflight().CheckAsync(Environment.UserName, uid, ct);
        // Checked here as the invoking user: inside, the host's root shows as an unmapped owner (StagingArea).
        StagingArea.Check(StagingLocation.ParentFor(options, neededBytes: null));
        RootlessLauncher.ReExec(ThisProgram(), uid);
    }

    /// <summary>This program's command line: the app host with our arguments, or the dotnet host, our assembly, them.</summary>
    private static List<string> ThisProgram()
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var args = Environment.GetCommandLineArgs().Skip(1);
        return Path.GetFileNameWithoutExtension(host) == "dotnet"
            ? [host, Assembly.GetEntryAssembly()!.Location, .. args]
            : [host, .. args];
    }
}
