using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Os.Processes;

namespace Bootstrapper.Engine.Sandbox;

/// <summary>
/// The one way a command runs inside a staging root: through <c>bootstrap-sandbox</c> (built from
/// bootstrap-sandbox.c beside this file and shipped next to the assemblies). Maintainer scripts, triggers, dpkg's
/// configure runs and apk's scripts all come here.
/// </summary>
/// <remarks>
/// What the sandbox gives every command (the C file says how): new mount, PID, IPC, UTS and network namespaces;
/// the staging root made reachable only through a jail that <c>pivot_root</c> made the namespace's root, with the
/// host's root detached; its own /proc; the root mounted nodev with the host's null, zero, full, random, urandom
/// and tty bound in; no controlling terminal; the capability bounding set of a container build step; no_new_privs;
/// PID 1 a reaper whose root differs from the command's, so <c>ischroot</c> answers "chroot". When the process we
/// start dies, the namespace dies with it.
/// </remarks>
internal static class SandboxCommand
{
    /// <summary>File name of the helper, beside the assemblies.</summary>
    public const string HelperName = "bootstrap-sandbox";

    /// <summary>The helper's exit code when the sandbox could not be set up (its message starts with the name).</summary>
    public const int SetupFailed = 125;

    /// <summary>Where the helper is: beside this assembly (the build copies it there), or BOOTSTRAP_SANDBOX_HELPER.</summary>
    public static string HelperPath =>
        Environment.GetEnvironmentVariable("BOOTSTRAP_SANDBOX_HELPER") is { Length: > 0 } configured
            ? configured
            : Path.Combine(AppContext.BaseDirectory, HelperName);

    /// <summary>The helper's argument vector for <paramref name="command"/> run in <paramref name="root"/>.</summary>
    /// <param name="network">Share the host's network (a step that downloads); off for package scripts.</param>
    /// <param name="umask">The command's umask (apk runs scripts with 022; dpkg inherits it).</param>
    /// <param name="standIns">Host programs bound over some of the root's files for this command (see <see cref="StandIn"/>).</param>
    public static IReadOnlyList<string> Arguments(string root, IReadOnlyList<string> command, bool network = false, int umask = 0x12,
        IReadOnlyList<StandIn>? standIns = null)
    {
        if (!Path.IsPathFullyQualified(root))
            throw new ArgumentException($"The staging root must be an absolute path, not '{root}'.", nameof(root));
        if (command.Count == 0) throw new ArgumentException("Empty command.", nameof(command));
        var args = new List<string>();
        if (network) args.Add("--network");
        foreach (var s in standIns ?? [])
            args.AddRange(["--stand-in", s.Program, s.PathInRoot, s.Descriptor.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        args.AddRange(["--umask", Convert.ToString(umask, 8), root, "--"]);
        args.AddRange(command);
        return args;
    }

    /// <summary>A process spec running <paramref name="command"/> in the sandbox with exactly <paramref name="environment"/>.</summary>
    public static ProcessSpec Spec(string root, IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment,
        string description, bool network = false, int umask = 0x12, IReadOnlyList<StandIn>? standIns = null)
    {
        var helper = HelperPath;
        if (!File.Exists(helper))
            throw new InstallException(
                $"The sandbox helper {helper} is missing. It is built from src/Bootstrapper.Engine/Sandbox/bootstrap-sandbox.c " +
                "with the tool (a C compiler is needed: the Debian package gcc); rebuild, or set BOOTSTRAP_SANDBOX_HELPER.");
        return new ProcessSpec(helper, Arguments(root, command, network, umask, standIns), environment, description);
    }

    /// <summary>
    /// Sets a sandbox up around <see cref="AppContext.BaseDirectory"/> (nothing is written there, nothing runs in
    /// it) and throws <see cref="ExitCodes.NeedsPrivileges"/> when this host or container cannot give one. Builds
    /// ask before downloading.
    /// </summary>
    public static async Task CheckAsync(CancellationToken ct)
    {
        var spec = Spec(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory), ["true"], new Dictionary<string, string>(), "sandbox check")
            with
        { Arguments = ["--check", Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)] };
        var result = await ProcessRunner.RunAsync(spec, null, ct).ConfigureAwait(false);
        if (result.Succeeded) return;
        throw new BootstrapException(ExitCodes.NeedsPrivileges,
            "installing packages needs a sandbox (mount, PID and network namespaces, pivot_root, a proc) and this " +
            $"process cannot make one: {string.Join(" ", result.LastLines).Trim()}. Run the build as root on the host; in a " +
            "container, start it with --privileged (podman, docker), or as a user with subordinate ids build " +
            "rootless (--mode unshare; see README \"Running without root\").");
    }

    /// <summary>
    /// A host-native program the sandbox binds, read-only, over the root's regular file <paramref name="PathInRoot"/>
    /// for one command, keeping the covered file open on <paramref name="Descriptor"/> for the program to fall back
    /// to. Nothing is written into the root; without a regular file there, nothing is bound.
    /// </summary>
    public sealed record StandIn(string Program, string PathInRoot, int Descriptor);

    /// <summary>The helper's own message when it could not set the sandbox up, else null.</summary>
    public static string? SetupFailure(ProcessResult result) =>
        result.ExitCode == SetupFailed
            ? result.LastLines.LastOrDefault(l => l.StartsWith(HelperName + ":", StringComparison.Ordinal))
            : null;
}
