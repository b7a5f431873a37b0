using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Engine.Os.Processes;

/// <summary>
/// Runs child processes with a clean environment, streams every output line (stdout and stderr, in arrival order)
/// to a sink, and guarantees that no descendant outlives a cancelled or dying build.
/// </summary>
internal static class ProcessRunner
{
    private const int KeptLines = 40;

    // Children still running. A signal to the build (Interruption) or its exit kills their whole trees, so nothing
    // keeps writing into the staging root after we are gone.
    private static readonly ConcurrentDictionary<int, Process> Running = new();

    // Held so the registrations live as long as the process (a collected registration unregisters itself).
    private static readonly PosixSignalRegistration[] Registrations;

    static ProcessRunner()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAllRunning();
        // Any program using the engine, not only the CLI (which adds Interruption's cancel-and-clean-up on top):
        // a signal that ends the process must not leave the children's trees running. These handlers leave the
        // signal's outcome alone (context.Cancel untouched), so without Interruption the default action follows.
        Registrations = OperatingSystem.IsWindows()
            ? []
            : [.. new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGHUP, PosixSignal.SIGQUIT }
                .Select(s => PosixSignalRegistration.Create(s, _ => KillAllRunning()))];
    }

    /// <summary>Kill the trees of all children started by this runner that are still alive.</summary>
    internal static void KillAllRunning()
    {
        foreach (var p in Running.Values) KillTree(p);
    }

    /// <summary>
    /// SIGKILL to the process and every descendant. For a chrooted command that is unshare: its --kill-child then
    /// takes down the PID namespace, including processes that re-parented themselves inside it.
    /// </summary>
    private static void KillTree(Process p)
    {
        try { p.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { }                       // already exited
        catch (System.ComponentModel.Win32Exception) { }            // exited while the tree was walked
    }

    /// <param name="spec">What to run.</param>
    /// <param name="onLine">Receives each output line as soon as it is read; may be called from two threads.</param>
    /// <param name="ct">Cancellation kills the entire process tree, waits for it, then throws.</param>
    /// <returns>The exit code (a signal-killed child reports 128 + signal, as a shell would).</returns>
    public static async Task<ProcessResult> RunAsync(ProcessSpec spec, Action<string>? onLine, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var psi = new ProcessStartInfo(spec.FileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var a in spec.Arguments) psi.ArgumentList.Add(a);
        psi.Environment.Clear();
        foreach (var (k, v) in spec.Environment) psi.Environment[k] = v;

        var last = new Queue<string>();
        var gate = new object();
        void Line(string? l)
        {
            if (l is null) return;
            lock (gate)
            {
                last.Enqueue(l);
                if (last.Count > KeptLines) last.Dequeue();
                onLine?.Invoke(l);
            }
        }

        var sw = Stopwatch.StartNew();
        using var proc = new Process { StartInfo = psi };
        proc.OutputDataReceived += (_, e) => Line(e.Data);
        proc.ErrorDataReceived += (_, e) => Line(e.Data);
        try
        {
            proc.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InstallException(
                $"Cannot start {spec.FileName} ({spec.Description}): {ex.Message}. Is the program installed on the build host?", ex);
        }
        Running[proc.Id] = proc;
        try
        {
            // Nothing may wait for input: debconf and friends must see end-of-file, never a terminal.
            proc.StandardInput.Close();
            proc.BeginOutputReadLine();
            proc.BeginErrorReadLine();
            using (ct.Register(() => KillTree(proc)))
            {
                await proc.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
            // WaitForExitAsync also waits for the output streams to reach end-of-file, so every line was delivered.
            ct.ThrowIfCancellationRequested();
            lock (gate)
            {
                return new ProcessResult(proc.ExitCode, last.ToArray(), sw.Elapsed);
            }
        }
        finally
        {
            Running.TryRemove(proc.Id, out _);
        }
    }
}
