using System.Diagnostics;
using Bootstrapper.Engine.Build;

namespace Bootstrapper.Cli.Console;

/// <summary>
/// Progress as plain lines on stderr, for CI logs and redirected output (Spectre's live display prints nothing
/// there). Progress lines are rate-limited so a log shows a few lines per phase, not thousands.
/// </summary>
/// <param name="prefix">Put before every line ("[debian-bookworm] "): several builds share one log.</param>
internal sealed class PlainReporter(TextWriter output, Verbosity verbosity, string prefix = "") : IBuildReporter
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (long Ticks, int Percent)> _lastProgress = new();

    public void PhaseStarted(string phase, string detail)
    {
        if (verbosity == Verbosity.Quiet) return;
        Write($"{phase}: {detail}");
    }

    public void PhaseFinished(string phase, TimeSpan elapsed, string summary)
    {
        if (verbosity == Verbosity.Quiet) return;
        Write($"{phase}: done in {elapsed.TotalSeconds:0.0}s{(summary.Length > 0 ? ": " + summary : "")}");
    }

    public void Progress(string phase, long done, long total, string unit)
    {
        if (verbosity == Verbosity.Quiet || total <= 0) return;
        int percent = (int)(done * 100 / total);
        lock (_lock)
        {
            var now = _clock.ElapsedTicks;
            if (_lastProgress.TryGetValue(phase, out var last) && percent < 100 &&
                (percent - last.Percent < 25 || now - last.Ticks < Stopwatch.Frequency * 2))
                return;
            _lastProgress[phase] = (now, percent);
        }
        Write($"{phase}: {Units.Format(done, unit)} of {Units.Format(total, unit)} ({percent}%)");
    }

    public void Info(string message)
    {
        if (verbosity != Verbosity.Quiet) Write(message);
    }

    public void Verbose(string message)
    {
        if (verbosity == Verbosity.Verbose) Write(message);
    }

    public void Warning(string message) => Write("warning: " + message);

    private void Write(string line)
    {
        lock (_lock)
            output.WriteLine($"[{_clock.Elapsed.TotalSeconds,6:0.0}s] {prefix}{line}");
    }
}

internal enum Verbosity { Quiet, Normal, Verbose }

internal static class Units
{
    public static string Format(long value, string unit) => unit switch
    {
        "bytes" => value >= 1 << 20 ? $"{value / 1048576.0:0.0} MiB" : $"{value / 1024.0:0} KiB",
        _ => $"{value} {unit}",
    };
}
