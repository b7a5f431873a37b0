using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Families.Debian.Install;

namespace Bootstrapper.EndToEnd.Install;

/// <summary>
/// /proc is mounted only in the chrooted command's own mount namespace, so the host never sees it, and no
/// process or mount outlives a failing, cancelled or killed command.
/// </summary>
public sealed class ChrootIsolationTests : IDisposable
{
    private readonly BusyboxRoot _box = new();

    public void Dispose() => _box.Dispose();

    [Fact]
    public async Task Proc_is_mounted_inside_the_namespace_and_never_on_the_host()
    {
        var lines = new List<string>();
        var runner = new ChrootRunner(_box.Root, null, l => { lock (lines) lines.Add(l); });
        var run = runner.RunAsync(["sh", "-c",
            "grep ' /proc ' /proc/self/mountinfo; echo pid=$$; " +
            // ischroot's test: PID 1's root is not ours.
            "[ \"$(busybox stat -L -c %d:%i /)\" != \"$(busybox stat -L -c %d:%i /proc/1/root)\" ] && echo in-a-chroot; sleep 2"],
            "probe", CancellationToken.None);
        Assert.True(HostTools.WaitFor(() => { lock (lines) return lines.Any(l => l.StartsWith("pid=", StringComparison.Ordinal)); }, 20));
        var duringRun = HostTools.MountPoints();
        var r = await run;
        Assert.Equal(0, r.ExitCode);
        Assert.Contains(lines, l => l.Contains(" /proc ", StringComparison.Ordinal) && l.Contains(" - proc ", StringComparison.Ordinal));
        // The sandbox's init is PID 1 of the command's own PID namespace, in a jail around the root, and the
        // command its child, so that scripts see a chroot as under debootstrap (ischroot).
        Assert.Contains("pid=2", lines);
        Assert.Contains("in-a-chroot", lines);
        Assert.DoesNotContain(duringRun, m => m.StartsWith(_box.Root, StringComparison.Ordinal));
        Assert.Empty(HostTools.MountsUnder(_box.Root));
    }

    [Fact]
    public async Task Failing_command_reports_exit_code_and_output_and_leaves_nothing_behind()
    {
        var runner = new ChrootRunner(_box.Root, null, null);
        var ex = await Assert.ThrowsAsync<InstallException>(() =>
            runner.RunCheckedAsync(["sh", "-c", "echo boom >&2; sleep 300 & exit 3"], "failing probe", CancellationToken.None));
        Assert.Contains("failing probe failed with exit code 3", ex.Message);
        Assert.Contains("boom", ex.Message);
        // The background sleep died with PID 1 of its namespace.
        Assert.True(HostTools.WaitFor(() => _box.ProcessesInside().Count == 0, 5), "processes left: " + string.Join(",", _box.ProcessesInside()));
        Assert.Empty(HostTools.MountsUnder(_box.Root));
    }

    [Fact]
    public async Task Cancellation_kills_the_whole_tree()
    {
        var runner = new ChrootRunner(_box.Root, null, null);
        using var cts = new CancellationTokenSource();
        var run = runner.RunAsync(["sh", "-c", "sleep 300 & sleep 301 & wait"], "sleepers", cts.Token);
        Assert.True(HostTools.WaitFor(() => _box.ProcessesInside().Count >= 3, 20), "the sleepers did not start");
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.True(HostTools.WaitFor(() => _box.ProcessesInside().Count == 0, 5), "processes left: " + string.Join(",", _box.ProcessesInside()));
        Assert.Empty(HostTools.MountsUnder(_box.Root));
    }

    [Fact]
    public async Task Environment_is_exactly_the_installer_one()
    {
        var lines = new List<string>();
        var runner = new ChrootRunner(_box.Root, 1_700_000_000, l => { lock (lines) lines.Add(l); });
        var r = await runner.RunAsync(["cat", "/proc/self/environ"], "env", CancellationToken.None);
        Assert.Equal(0, r.ExitCode);
        var env = string.Join("\n", lines);
        foreach (var (k, v) in runner.Environment)
            Assert.Contains($"{k}={v}", env);
        Assert.Contains("SOURCE_DATE_EPOCH=1700000000", env);
        Assert.DoesNotContain("TMPDIR=", env);
        Assert.DoesNotContain("DOTNET_", env);
    }

    [Fact]
    public async Task WithOutput_captures_only_the_output_and_logs_the_command_line()
    {
        var log = new List<string>();
        var captured = new List<string>();
        var runner = new ChrootRunner(_box.Root, null, log.Add).WithOutput(captured.Add);
        await runner.RunCheckedAsync(["echo", "hello"], "echo", CancellationToken.None);
        Assert.Equal(["hello"], captured);
        Assert.Equal(["# chroot: echo hello"], log);
    }
}
