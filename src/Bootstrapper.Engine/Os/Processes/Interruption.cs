using System.Runtime.InteropServices;

namespace Bootstrapper.Engine.Os.Processes;

/// <summary>
/// The one way a build is interrupted. The first SIGINT, SIGTERM or SIGHUP kills every child process tree at once
/// (nothing keeps writing into the staging root) and cancels <see cref="Token"/>; the build then unwinds through its
/// finally blocks, which remove the staging root and temporary outputs, and the CLI prints one line and exits 130.
/// A second signal does not wait for that: it kills the children again and lets the signal end the process.
/// </summary>
/// <remarks>
/// System.CommandLine's own handling is switched off (it waited a fixed 2 s, then exited 130 or 143 without
/// cleaning up). Whatever fails after the first signal (a child killed mid-dpkg, an HTTP request aborted) is a
/// consequence of the interrupt, not an error of its own: <see cref="Requested"/> tells the CLI to report it as such.
/// </remarks>
internal static class Interruption
{
    private static readonly CancellationTokenSource Source = new();
    private static readonly Lock Gate = new();
    private static PosixSignalRegistration[] _registrations = [];
    private static int _signals;

    /// <summary>Cancelled by the first signal once <see cref="Install"/> ran.</summary>
    public static CancellationToken Token => Source.Token;

    /// <summary>True once a signal asked the build to stop.</summary>
    public static bool Requested => Source.IsCancellationRequested;

    /// <summary>The signal that stopped the build ("SIGINT"), for the one line the CLI prints.</summary>
    public static string? SignalName { get; private set; }

    /// <summary>Registers the handlers (once per process; the registrations live as long as it does).</summary>
    public static void Install()
    {
        if (OperatingSystem.IsWindows()) return;
        lock (Gate)
        {
            if (_registrations.Length > 0) return;
            _registrations = [.. new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP }
                .Select(s => PosixSignalRegistration.Create(s, OnSignal))];
        }
    }

    private static void OnSignal(PosixSignalContext context)
    {
        ProcessRunner.KillAllRunning();
        if (Interlocked.Increment(ref _signals) > 1)
        {
            // Second signal: the user does not want to wait for the cleanup. The default action ends the process.
            context.Cancel = false;
            return;
        }
        context.Cancel = true;
        SignalName = context.Signal switch
        {
            PosixSignal.SIGINT => "SIGINT",
            PosixSignal.SIGTERM => "SIGTERM",
            PosixSignal.SIGHUP => "SIGHUP",
            _ => context.Signal.ToString(),
        };
        try { Source.Cancel(); }
        catch (AggregateException) { } // a callback's failure must not keep the build from unwinding
    }
}
