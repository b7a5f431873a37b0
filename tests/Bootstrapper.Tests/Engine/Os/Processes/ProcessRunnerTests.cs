using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Os.Processes;

namespace Bootstrapper.Tests.Engine.Os.Processes;

public sealed class ProcessRunnerTests
{
    private static ProcessSpec Sh(string script, Dictionary<string, string>? env = null) =>
        new("/bin/sh", ["-c", script], env ?? new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin" }, "test script");

    [Fact]
    public async Task Streams_stdout_and_stderr_lines_and_reports_the_exit_code()
    {
        var lines = new List<string>();
        var r = await ProcessRunner.RunAsync(Sh("echo out; echo err >&2; exit 7"), l => { lock (lines) lines.Add(l); }, CancellationToken.None);
        Assert.Equal(7, r.ExitCode);
        Assert.False(r.Succeeded);
        Assert.Equal(["err", "out"], lines.Order());
        Assert.Equal(["err", "out"], r.LastLines.Order());
    }

    [Fact]
    public async Task Keeps_only_the_last_forty_lines_for_messages()
    {
        var r = await ProcessRunner.RunAsync(Sh("i=0; while [ $i -lt 100 ]; do echo line$i; i=$((i+1)); done"), null, CancellationToken.None);
        Assert.Equal(40, r.LastLines.Count);
        Assert.Equal("line99", r.LastLines[^1]);
    }

    [Fact]
    public async Task The_callers_environment_is_not_inherited()
    {
        Environment.SetEnvironmentVariable("BOOTSTRAP_TEST_LEAK", "leaked");
        var lines = new List<string>();
        await ProcessRunner.RunAsync(Sh("echo \"[$BOOTSTRAP_TEST_LEAK][$ONLY]\"", new() { ["ONLY"] = "given" }), lines.Add, CancellationToken.None);
        Assert.Equal(["[][given]"], lines);
    }

    [Fact]
    public async Task Stdin_is_closed_so_nothing_waits_for_input()
    {
        var r = await ProcessRunner.RunAsync(Sh("read x; echo \"read=$?\""), null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["read=1"], r.LastLines);
    }

    [Fact]
    public async Task Cancellation_kills_the_whole_tree_then_throws()
    {
        var pids = new List<int>();
        using var cts = new CancellationTokenSource();
        var run = ProcessRunner.RunAsync(Sh("sleep 300 & echo $!; sleep 301 & echo $!; wait"),
            l => { lock (pids) { pids.Add(int.Parse(l)); if (pids.Count == 2) cts.Cancel(); } }, cts.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(2, pids.Count);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (pids.Any(Alive) && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.DoesNotContain(pids, Alive);
    }

    [Fact]
    public async Task A_missing_program_is_an_install_error_naming_it()
    {
        var spec = new ProcessSpec("/nonexistent/unshare", [], new Dictionary<string, string>(), "probe");
        var ex = await Assert.ThrowsAsync<InstallException>(() => ProcessRunner.RunAsync(spec, null, CancellationToken.None));
        Assert.Contains("Cannot start /nonexistent/unshare (probe)", ex.Message);
    }

    /// <summary>Running or sleeping, not a zombie waiting to be reaped and not gone.</summary>
    private static bool Alive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException) { return false; }
    }
}
