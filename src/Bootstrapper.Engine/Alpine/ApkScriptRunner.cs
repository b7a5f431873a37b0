using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Processes;

namespace Bootstrapper.Engine.Alpine;

/// <summary>Runs one maintainer script inside the staging root.</summary>
public interface IApkScriptRunner
{
    /// <param name="root">Staging root.</param>
    /// <param name="scriptPath">Root-relative path the script was written to; becomes argv[0].</param>
    /// <param name="args">argv[1..]: the new version, or the changed directories for a trigger.</param>
    /// <param name="environment">The complete environment (nothing is inherited).</param>
    Task<ApkScriptResult> RunAsync(string root, string scriptPath, IReadOnlyList<string> args,
        IReadOnlyDictionary<string, string> environment, CancellationToken ct);
}

public sealed record ApkScriptResult(int ExitCode, string Output);

/// <summary>
/// <c>unshare --mount --propagation private</c>, then (inside the new mount namespace) bind /proc and a read-only
/// /dev into the root when it lacks them, as apk 3 does (database.c unshare_mount_namespace; busybox's
/// post-install needs /proc/self/exe), then <c>chroot ROOT SCRIPT ARGS...</c> with umask 022. The mounts belong
/// to the private namespace and vanish with the process, so nothing leaks onto the host. chroot(8) changes
/// directory to "/" and execs SCRIPT as given, so argv[0] is the root-relative path, as with apk (which executes
/// "lib/apk/exec/NAME-VERSION.TYPE" after fchdir to the root).
/// </summary>
public sealed class ChrootScriptRunner : IApkScriptRunner
{
    // Runs on the host (its /bin/sh, mount and chroot) inside the new namespace. $1 = root, then argv of the script.
    private const string Wrapper = """
        root="$1"; shift
        umask 022
        if [ ! -e "$root/proc/self" ]; then
          mkdir -p "$root/proc" && mount --rbind /proc "$root/proc" || exit 125
        fi
        if [ ! -e "$root/dev/null" ]; then
          mkdir -p "$root/dev" && mount --rbind /dev "$root/dev" && mount -o remount,bind,ro "$root/dev" || exit 125
        fi
        exec chroot "$root" "$@"
        """;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    public async Task<ApkScriptResult> RunAsync(string root, string scriptPath, IReadOnlyList<string> args,
        IReadOnlyDictionary<string, string> environment, CancellationToken ct)
    {
        var argv = new List<string> { "--mount", "--propagation", "private", "/bin/sh", "-c", Wrapper, "sh", root, scriptPath };
        argv.AddRange(args);
        var spec = new ProcessSpec(File.Exists("/usr/bin/unshare") ? "/usr/bin/unshare" : "unshare", argv, environment,
            scriptPath);
        var output = new List<string>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        try
        {
            // ProcessRunner kills the whole tree on cancellation and when the build itself is signalled.
            var r = await ProcessRunner.RunAsync(spec, line => { lock (output) output.Add(line); }, timeout.Token);
            lock (output) return new ApkScriptResult(r.ExitCode, string.Join('\n', output));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new InstallException($"{scriptPath} did not finish within {Timeout.TotalSeconds:0} s; killed.");
        }
    }
}
