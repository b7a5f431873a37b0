using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Processes;

namespace Bootstrapper.Engine.Debian;

/// <summary>
/// Runs a command chrooted into the staging root, inside new mount and PID namespaces of its own.
/// </summary>
/// <remarks>
/// The command line is <c>unshare --mount --propagation private --pid --kill-child --mount-proc=ROOT/proc -- sh -c
/// 'chroot ROOT CMD'</c>.
/// Why each part:
/// <list type="bullet">
/// <item>A private mount namespace: /proc is mounted only there, so the host never sees the mount and it
/// disappears with the last process of the namespace — no cleanup step that a crash could skip.</item>
/// <item>A PID namespace with <c>--kill-child</c>: a host shell is PID 1 there; when unshare dies (we kill it with
/// SIGKILL on cancellation) the kernel delivers SIGKILL to that PID 1, and a dying PID 1 takes every process of
/// its namespace with it, including daemons that double-forked away from our process tree.</item>
/// <item>A fresh proc shows only the namespace's processes: maintainer scripts cannot
/// see or signal host processes.</item>
/// </list>
/// The host's /dev is never bind-mounted: the root has its own device nodes (<see cref="ChrootDevices"/>).
/// </remarks>
public sealed class ChrootRunner
{
    /// <summary>Where unshare(1) (util-linux) lives on Debian hosts.</summary>
    public const string UnsharePath = "/usr/bin/unshare";

    /// <summary>PATH inside the chroot: dpkg's own default, which maintainer scripts expect.</summary>
    public const string ChrootPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private readonly string _root;
    private readonly IReadOnlyDictionary<string, string> _environment;
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
        _root = root;
        _onLine = onLine;
        _environment = BuildEnvironment(sourceDateEpoch);
    }

    /// <summary>Absolute path of the root commands run in.</summary>
    public string Root => _root;

    /// <summary>The environment every chrooted command gets (and nothing else), as mmdebstrap sets it.</summary>
    public IReadOnlyDictionary<string, string> Environment => _environment;

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
    public ChrootRunner WithOutput(Action<string>? onLine) => new(_root, _sourceDateEpoch, onLine, _onCommand);

    /// <summary>Where the host's shell lives: PID 1 of the namespace, outside the chroot (see <see cref="CommandLine"/>).</summary>
    public const string HostShell = "/bin/sh";

    /// <summary>Where chroot(8) (coreutils) lives on the build host.</summary>
    public const string HostChroot = "/usr/sbin/chroot";

    /// <summary>The full host command line for running <paramref name="command"/> in the chroot.</summary>
    /// <remarks>
    /// PID 1 of the namespace is the host's shell, which runs the command chrooted as its child and waits. Were the
    /// chrooted command PID 1 itself, /proc/1/root would be the chroot's own root and ischroot(1) would answer "not
    /// in a chroot": libc6's postinst then tries <c>telinit u</c> and sleeps a second, and other scripts act as on
    /// a booted system. debootstrap and mmdebstrap chroot below the host's PID 1, so their scripts see a chroot;
    /// this keeps our scripts seeing the same. The <c>; exit</c> keeps the shell from exec'ing chroot in its place.
    /// </remarks>
    public IReadOnlyList<string> CommandLine(IReadOnlyList<string> command)
    {
        if (command.Count == 0) throw new ArgumentException("Empty command.", nameof(command));
        var args = new List<string>
        {
            "--mount", "--propagation", "private",
            "--pid", "--kill-child=SIGKILL",
            // Mounted in the new namespace only, before the chroot: the chrooted commands see it as /proc.
            "--mount-proc=" + Path.Combine(_root, "proc"),
            "--",
            HostShell, "-c", HostChroot + " -- \"$0\" \"$@\"; exit $?", _root,
        };
        args.AddRange(command);
        return args;
    }

    /// <summary>Runs the command and returns its result without judging the exit code.</summary>
    public Task<ProcessResult> RunAsync(IReadOnlyList<string> command, string description, CancellationToken ct)
    {
        if (!File.Exists(UnsharePath))
            throw new InstallException($"{UnsharePath} is missing on the build host; install the Debian package util-linux.");
        if (!File.Exists(HostChroot) || !File.Exists(HostShell))
            throw new InstallException($"{HostChroot} or {HostShell} is missing on the build host; install the Debian package coreutils (and a /bin/sh).");
        if (!Directory.Exists(Path.Combine(_root, "proc")))
            Directory.CreateDirectory(Path.Combine(_root, "proc"));
        _onCommand?.Invoke("# chroot: " + string.Join(' ', command));
        var spec = new ProcessSpec(UnsharePath, CommandLine(command), _environment, description);
        return ProcessRunner.RunAsync(spec, _onLine, ct);
    }

    /// <summary>Runs the command and throws <see cref="InstallException"/> with its last output lines on failure.</summary>
    public async Task<ProcessResult> RunCheckedAsync(IReadOnlyList<string> command, string description, CancellationToken ct)
    {
        var r = await RunAsync(command, description, ct).ConfigureAwait(false);
        if (!r.Succeeded)
            throw new InstallException(
                $"{description} failed with exit code {r.ExitCode} in the chroot {_root}. Last output:\n  " +
                string.Join("\n  ", r.LastLines) +
                "\nThe full output is in the build log; a failing maintainer script is named above.");
        return r;
    }
}
