using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Os.Processes;
using Bootstrapper.Engine.Sandbox;

namespace Bootstrapper.Engine.Families.Debian.Install;

/// <summary>
/// Runs dpkg and maintainer scripts in the staging root, each command in the sandbox (<see cref="SandboxCommand"/>):
/// its own namespaces, the root made the namespace's root by pivot_root, the host detached, a container's
/// capabilities. Killing the process we start (cancellation, a signal to the build) kills everything inside.
/// </summary>
internal sealed class ChrootRunner
{
    /// <summary>PATH inside the chroot: dpkg's own default, which maintainer scripts expect.</summary>
    public const string ChrootPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private readonly Action<string>? _onLine;      // the commands' output
    private readonly Action<string>? _onCommand;   // "# chroot: CMD" before each command, for the build log
    private readonly long? _sourceDateEpoch;

    /// <param name="root">Absolute path of the staging root.</param>
    /// <param name="sourceDateEpoch">Passed through as SOURCE_DATE_EPOCH (shadow, man-db... honour it).</param>
    /// <param name="onLine">Receives every output line of every command, preceded by a "# chroot: CMD" line.</param>
    public ChrootRunner(string root, long? sourceDateEpoch, Action<string>? onLine)
        : this(root, sourceDateEpoch, onLine, onLine)
    {
    }

    private ChrootRunner(string root, long? sourceDateEpoch, Action<string>? onLine, Action<string>? onCommand)
    {
        _onCommand = onCommand;
        _sourceDateEpoch = sourceDateEpoch;
        if (!Path.IsPathFullyQualified(root))
            throw new ArgumentException($"The staging root must be an absolute path, not '{root}'.", nameof(root));
        Root = root;
        _onLine = onLine;
        Environment = BuildEnvironment(sourceDateEpoch);
    }

    /// <summary>Absolute path of the root commands run in.</summary>
    public string Root { get; }

    /// <summary>The environment every chrooted command gets (and nothing else), as mmdebstrap sets it.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    internal static IReadOnlyDictionary<string, string> BuildEnvironment(long? sourceDateEpoch)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = ChrootPath,
            ["HOME"] = "/root",
            ["LC_ALL"] = "C.UTF-8",
            ["LANGUAGE"] = "C.UTF-8",
            ["LANG"] = "C.UTF-8",
            // Debconf must never ask: take defaults and mark every question as seen.
            ["DEBIAN_FRONTEND"] = "noninteractive",
            ["DEBCONF_NONINTERACTIVE_SEEN"] = "true",
        };
        if (sourceDateEpoch is { } e)
        {
            if (e < 0) throw new ArgumentOutOfRangeException(nameof(sourceDateEpoch), "SOURCE_DATE_EPOCH must not be negative.");
            env["SOURCE_DATE_EPOCH"] = e.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return env;
    }

    /// <summary>
    /// The same root and environment, with the commands' output going to <paramref name="onLine"/> only (for
    /// callers that parse it); the command lines still go to the original sink.
    /// </summary>
    public ChrootRunner WithOutput(Action<string>? onLine) => new(Root, _sourceDateEpoch, onLine, _onCommand);

    /// <summary>The sandbox helper's arguments for running <paramref name="command"/> in the root.</summary>
    public IReadOnlyList<string> CommandLine(IReadOnlyList<string> command) => SandboxCommand.Arguments(Root, command);

    /// <summary>Runs the command and returns its result without judging the exit code.</summary>
    /// <exception cref="InstallException">The sandbox could not be set up.</exception>
    /// <param name="network">Share the host's network (a recipe step that asks for it); package scripts never do.</param>
    /// <param name="standIns">Host programs standing in for some of the root's files (<see cref="MaintscriptHelperStandIn"/>).</param>
    /// <param name="extraEnvironment">Variables added to <see cref="Environment"/> for this command.</param>
    public async Task<ProcessResult> RunAsync(IReadOnlyList<string> command, string description, CancellationToken ct,
        bool network = false, IReadOnlyList<SandboxCommand.StandIn>? standIns = null, IReadOnlyDictionary<string, string>? extraEnvironment = null)
    {
        var environment = extraEnvironment is null ? Environment
            : Environment.Concat(extraEnvironment).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var spec = SandboxCommand.Spec(Root, command, environment, description, network, standIns: standIns);
        _onCommand?.Invoke("# chroot: " + string.Join(' ', command));
        var result = await ProcessRunner.RunAsync(spec, _onLine, ct).ConfigureAwait(false);
        if (SandboxCommand.SetupFailure(result) is { } failure)
            throw new InstallException($"{description}: the sandbox for {Root} could not be set up: {failure}");
        return result;
    }

    /// <summary>
    /// Runs the preinsts of <paramref name="packages"/> as dpkg's unpack would (<see cref="DpkgUnpackRecord.RunPreinstsAsync"/>),
    /// each in the sandbox with the helpers' stand-ins where the root's helpers allow them.
    /// </summary>
    public Task RunPreinstsAsync(IReadOnlyList<PackageControl> packages, string dpkgVersion, CancellationToken ct)
    {
        var standIns = MaintscriptHelperStandIn.For(Root);
        return DpkgUnpackRecord.RunPreinstsAsync(Root, packages, dpkgVersion,
            (command, environment) => RunAsync(command, $"the pre-installation script of {environment["DPKG_MAINTSCRIPT_PACKAGE"]}", ct,
                standIns: standIns, extraEnvironment: environment));
    }

    /// <summary>Runs <c>dpkg --configure</c> (checked) with the helpers' stand-ins where the root's helpers allow them.</summary>
    public Task<ProcessResult> ConfigureAsync(IReadOnlyList<string> arguments, string description, CancellationToken ct) =>
        RunCheckedAsync(["dpkg", "--configure", .. arguments], description, ct, MaintscriptHelperStandIn.For(Root));

    /// <summary>Runs the command and throws <see cref="InstallException"/> with its last output lines on failure.</summary>
    public async Task<ProcessResult> RunCheckedAsync(IReadOnlyList<string> command, string description, CancellationToken ct,
        IReadOnlyList<SandboxCommand.StandIn>? standIns = null)
    {
        var r = await RunAsync(command, description, ct, standIns: standIns).ConfigureAwait(false);
        if (!r.Succeeded)
            throw new InstallException(
                $"{description} failed with exit code {r.ExitCode} in the chroot {Root}. Last output:\n  " +
                string.Join("\n  ", r.LastLines) +
                "\nThe full output is in the build log; a failing maintainer script is named above.");
        return r;
    }
}
