using Bootstrapper.Cli.Console;
using Bootstrapper.Core;
using Bootstrapper.Core.Debian.Control;

namespace Bootstrapper.Tests.Cli.Console;

/// <summary>The plain progress lines of CI logs name the step a phase is in, and a step that runs long gets a line.</summary>
public sealed class ProgressLineTests : IDisposable
{
    private TimeSpan _now;
    private readonly StringWriter _log = new();

    private PlainReporter Reporter() => new(_log, Verbosity.Normal, clock: () => _now);

    private string[] Lines => _log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public void Dispose() => _log.Dispose();

    [Fact]
    public void A_progress_line_names_the_current_step()
    {
        using var reporter = Reporter();
        reporter.Progress("install", 0, 88, "packages");
        reporter.Step("install", "configuring libc6:amd64");
        _now = TimeSpan.FromSeconds(3);
        reporter.Progress("install", 51, 88, "packages");
        Assert.Equal(["[   0.0s] install: 0 of 88 packages (0%)", "[   3.0s] install: 51 of 88 packages (57%), configuring libc6:amd64"], Lines);
    }

    [Fact]
    public void A_step_that_runs_for_two_seconds_without_a_line_gets_one_once()
    {
        using var reporter = Reporter();
        reporter.Step("install", "configuring ca-certificates");
        _now = TimeSpan.FromSeconds(1.5);
        reporter.ShowSlowSteps();
        Assert.Empty(Lines);
        _now = TimeSpan.FromSeconds(3);
        reporter.ShowSlowSteps();
        _now = TimeSpan.FromSeconds(9);
        reporter.ShowSlowSteps();
        Assert.Equal(["[   3.0s] install: configuring ca-certificates (3 s so far)"], Lines);
        // The next step starts its own clock; a finished phase forgets its step.
        reporter.Step("install", "processing triggers of libc-bin");
        reporter.PhaseFinished("install", TimeSpan.FromSeconds(9), "");
        _now = TimeSpan.FromSeconds(20);
        reporter.ShowSlowSteps();
        Assert.Equal("[   9.0s] install: done in 9.0s", Lines[^1]);
    }

    [Fact]
    public void The_pack_bar_reports_bytes_as_they_are_compressed()
    {
        using var reporter = Reporter();
        var mib = 1L << 20;
        foreach (var done in new[] { 1, 30, 31, 60, 90, 120 })
        {
            _now += TimeSpan.FromSeconds(3);
            reporter.Progress("pack", done * mib, 120 * mib, "bytes");
        }
        Assert.Equal(["[   3.0s] pack: 1.0 MiB of 120.0 MiB (0%)", "[   6.0s] pack: 30.0 MiB of 120.0 MiB (25%)",
            "[  12.0s] pack: 60.0 MiB of 120.0 MiB (50%)", "[  15.0s] pack: 90.0 MiB of 120.0 MiB (75%)",
            "[  18.0s] pack: 120.0 MiB of 120.0 MiB (100%)"], Lines);
    }

    [Theory]
    [InlineData("Setting up libc6:amd64 (2.36-9+deb12u10) ...", "configuring libc6:amd64")]
    [InlineData("Unpacking dpkg (1.21.22) over (1.21.22) ...", "unpacking dpkg")]
    [InlineData("Processing triggers for libc-bin (2.36-9+deb12u10) ...", "processing triggers of libc-bin")]
    [InlineData("# extracting 30 essential packages", "extracting 30 essential packages")]
    [InlineData("# installed 88 packages\n(extract 1.0 s)", "installed 88 packages")]
    [InlineData("# chroot: /bin/sh -c set -u\ncd /", null)]
    [InlineData("Selecting previously unselected package apt.", null)]
    [InlineData("Setting up ", null)]
    public void Dpkg_lines_name_their_step(string line, string? step) => Assert.Equal(step, DpkgStatusLine.StepOf(line));

    [Fact]
    public void One_package_is_singular() =>
        Assert.Equal(("1 package", "2 packages", "0 packages"),
            (Plural.Count(1, "package"), Plural.Count(2, "package"), Plural.Count(0, "package")));
}
