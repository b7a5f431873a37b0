using System.Diagnostics;
using Bootstrapper.Engine.Pipeline;

namespace Bootstrapper.Cli.Console;

/// <summary>
/// Progress as plain lines on stderr, for CI logs and redirected output (Spectre's live display prints nothing
/// there). Progress lines are rate-limited so a log shows a few lines per phase, not thousands; they name the
/// phase's current step, and a step that runs for <see cref="SlowStep"/> without a line gets one of its own.
/// </summary>
/// <param name="prefix">Put before every line ("[debian-bookworm] "): several builds share one log.</param>
/// <param name="clock">Elapsed time since the start (tests drive it); a stopwatch when null.</param>
internal sealed class PlainReporter(TextWriter output, Verbosity verbosity, string prefix = "", Func<TimeSpan>? clock = null)
    : IBuildReporter, IDisposable
{
    /// <summary>How long a step may run unnamed in the log, and the least time between two progress lines of a phase.</summary>
    public static readonly TimeSpan SlowStep = TimeSpan.FromSeconds(2);

    private readonly Func<TimeSpan> _clock = clock ?? Stopwatch.StartNew() switch { var sw => () => sw.Elapsed };
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (TimeSpan At, int Percent)> _lastProgress = [];
    private readonly Dictionary<string, (string What, TimeSpan Since, bool Shown)> _steps = [];
    private Timer? _timer;

    public void PhaseStarted(string phase, string detail)
    {
        if (verbosity == Verbosity.Quiet) return;
        Write($"{phase}: {detail}");
    }

    public void PhaseFinished(string phase, TimeSpan elapsed, string summary)
    {
        lock (_lock) _steps.Remove(phase);
        if (verbosity == Verbosity.Quiet) return;
        Write($"{phase}: done in {elapsed.TotalSeconds:0.0}s{(summary.Length > 0 ? ": " + summary : "")}");
    }

    public void Progress(string phase, long done, long total, string unit)
    {
        if (verbosity == Verbosity.Quiet || total <= 0) return;
        int percent = (int)(Math.Min(done, total) * 100 / total);
        string? step;
        lock (_lock)
        {
            var now = _clock();
            if (_lastProgress.TryGetValue(phase, out var last) && percent < 100 &&
                (percent - last.Percent < 25 || now - last.At < SlowStep))
                return;
            _lastProgress[phase] = (now, percent);
            step = _steps.TryGetValue(phase, out var s) && percent < 100 ? s.What : null;
            if (step != null) _steps[phase] = s with { Shown = true };
        }
        Write($"{phase}: {Units.Of(done, total, unit)} ({percent}%){(step is null ? "" : ", " + step)}");
    }

    public void Step(string phase, string current)
    {
        if (verbosity == Verbosity.Quiet) return;
        lock (_lock)
        {
            _steps[phase] = (current, _clock(), false);
            // Checked once a second: a step still running after SlowStep is named (dpkg's long postinsts, triggers).
            _timer ??= new Timer(_ => ShowSlowSteps(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>Writes "PHASE: STEP (N s so far)" for each step that has run for <see cref="SlowStep"/> unnamed.</summary>
    internal void ShowSlowSteps()
    {
        var lines = new List<string>();
        lock (_lock)
        {
            var now = _clock();
            foreach (var (phase, step) in _steps.ToList())
            {
                if (step.Shown || now - step.Since < SlowStep) continue;
                _steps[phase] = step with { Shown = true };
                lines.Add($"{phase}: {step.What} ({(now - step.Since).TotalSeconds:0} s so far)");
            }
        }
        foreach (var line in lines) Write(line);
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
            output.WriteLine($"[{_clock().TotalSeconds,6:0.0}s] {prefix}{line}");
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }
}

internal enum Verbosity { Quiet, Normal, Verbose }

internal static class Units
{
    /// <summary>"3.0 MiB of 30.4 MiB", "51 of 88 packages".</summary>
    public static string Of(long done, long total, string unit) =>
        unit == "bytes" ? $"{Bytes(done)} of {Bytes(total)}" : $"{done} of {total} {unit}";

    private static string Bytes(long value) => value >= 1 << 20 ? $"{value / 1048576.0:0.0} MiB" : $"{value / 1024.0:0} KiB";
}
