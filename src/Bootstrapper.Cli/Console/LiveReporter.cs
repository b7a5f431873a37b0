using Bootstrapper.Engine.Pipeline;
using Spectre.Console;

namespace Bootstrapper.Cli.Console;

/// <summary>A live progress display for terminals: one bar per phase, messages printed above the bars.</summary>
internal sealed class LiveReporter(ProgressContext context, Verbosity verbosity) : IBuildReporter
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ProgressTask> _tasks = [];

    public void PhaseStarted(string phase, string detail)
    {
        lock (_lock)
        {
            if (_tasks.ContainsKey(phase)) return;
            var task = context.AddTask(Markup.Escape($"{phase,-10} {detail}"), autoStart: true, maxValue: 1);
            task.IsIndeterminate = true;
            _tasks[phase] = task;
        }
    }

    public void PhaseFinished(string phase, TimeSpan elapsed, string summary)
    {
        lock (_lock)
        {
            if (!_tasks.TryGetValue(phase, out var task)) return;
            task.Description = Markup.Escape($"{phase,-10} {elapsed.TotalSeconds:0.0}s {summary}");
            task.IsIndeterminate = false;
            task.Value = task.MaxValue;
            task.StopTask();
        }
    }

    public void Progress(string phase, long done, long total, string unit)
    {
        lock (_lock)
        {
            if (!_tasks.TryGetValue(phase, out var task) || total <= 0) return;
            task.IsIndeterminate = false;
            task.MaxValue = total;
            task.Value = Math.Min(done, total);
        }
    }

    /// <summary>The bar's description names the step ("install    configuring libc6") until the phase ends.</summary>
    public void Step(string phase, string current)
    {
        lock (_lock)
        {
            if (_tasks.TryGetValue(phase, out var task) && !task.IsFinished)
                task.Description = Markup.Escape($"{phase,-10} {current}");
        }
    }

    public void Info(string message)
    {
        if (verbosity != Verbosity.Quiet) AnsiConsole.MarkupLine(Markup.Escape(message));
    }

    public void Verbose(string message)
    {
        if (verbosity == Verbosity.Verbose) AnsiConsole.MarkupLine("[grey]" + Markup.Escape(message) + "[/]");
    }

    public void Warning(string message) => AnsiConsole.MarkupLine("[yellow]warning:[/] " + Markup.Escape(message));

    /// <summary>
    /// Runs <paramref name="work"/> under a live display when <paramref name="stderr"/> is the process's own standard
    /// error and that is an interactive terminal; else progress, warnings and messages go to <paramref name="stderr"/>
    /// as plain lines (CI logs, and callers such as tests that pass their own writer).
    /// </summary>
    public static async Task<T> RunAsync<T>(Verbosity verbosity, TextWriter stderr, Func<IBuildReporter, Task<T>> work)
    {
        bool interactive = ReferenceEquals(stderr, System.Console.Error) && AnsiConsole.Profile.Capabilities.Interactive
                           && !System.Console.IsErrorRedirected && verbosity != Verbosity.Quiet;
        if (!interactive)
        {
            using var plain = new PlainReporter(stderr, verbosity);
            return await work(plain);
        }
        T result = default!;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(),
                new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async ctx => { result = await work(new LiveReporter(ctx, verbosity)); });
        return result;
    }
}
