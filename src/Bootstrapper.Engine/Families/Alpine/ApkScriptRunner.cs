using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Os.Processes;
using Bootstrapper.Engine.Sandbox;

namespace Bootstrapper.Engine.Families.Alpine;

/// <summary>Runs one maintainer script inside the staging root.</summary>
internal interface IApkScriptRunner
{
    /// <param name="root">Staging root.</param>
    /// <param name="scriptPath">Root-relative path the script was written to; becomes argv[0].</param>
    /// <param name="args">argv[1..]: the new version, or the changed directories for a trigger.</param>
    /// <param name="environment">The complete environment (nothing is inherited).</param>
    Task<ApkScriptResult> RunAsync(string root, string scriptPath, IReadOnlyList<string> args,
        IReadOnlyDictionary<string, string> environment, CancellationToken ct);
}

internal sealed record ApkScriptResult(int ExitCode, string Output);

/// <summary>
/// Runs each script in the sandbox (<see cref="SandboxCommand"/>) with umask 022, as apk 3 runs them: a fresh /proc
/// (busybox's post-install needs /proc/self/exe) and, while the root has no /dev/null yet, a small /dev with the
/// host's harmless devices (apk binds /dev for the same reason). The sandbox changes directory to "/" and executes
/// SCRIPT as given, so argv[0] is the root-relative path, as with apk (which executes
/// "lib/apk/exec/NAME-VERSION.TYPE" after fchdir to the root).
/// </summary>
internal sealed class ChrootScriptRunner : IApkScriptRunner
{
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    public async Task<ApkScriptResult> RunAsync(string root, string scriptPath, IReadOnlyList<string> args,
        IReadOnlyDictionary<string, string> environment, CancellationToken ct)
    {
        var spec = SandboxCommand.Spec(root, [scriptPath, .. args], environment, scriptPath, umask: 0x12);
        var output = new List<string>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        try
        {
            // ProcessRunner kills the whole tree on cancellation and when the build itself is signalled.
            var r = await ProcessRunner.RunAsync(spec, line => { lock (output) output.Add(line); }, timeout.Token).ConfigureAwait(false);
            if (SandboxCommand.SetupFailure(r) is { } failure)
                throw new InstallException($"{scriptPath}: the sandbox for {root} could not be set up: {failure}");
            lock (output) return new ApkScriptResult(r.ExitCode, string.Join('\n', output));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new InstallException($"{scriptPath} did not finish within {Timeout.TotalSeconds:0} s; killed.");
        }
    }
}
