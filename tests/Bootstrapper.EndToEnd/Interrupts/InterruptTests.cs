using System.Diagnostics;
using Bootstrapper.Cli.Commands;
using Bootstrapper.EndToEnd.Build;
using Bootstrapper.EndToEnd.Install;
using Xunit.Abstractions;

namespace Bootstrapper.EndToEnd.Interrupts;

/// <summary>
/// SIGINT and SIGTERM to the real `bootstrap` process during the download (a bundle of bookworm served slowly on
/// 127.0.0.1), during a chroot command (the sandbox helper running in the staging root) and during pack (.tar.xz,
/// seconds of compression). Each must end with exit 130 and the one interrupt line, leave no staging root, no
/// temporary output, no process and no mount; and the next build on the same cache gives the reference bytes.
/// </summary>
public sealed class InterruptTests(ITestOutputHelper output) : IDisposable
{
    private const string Line = "stopped every child process and removed the staging root and temporary files";
    private readonly string _work = Directory.CreateTempSubdirectory("bootstrap-interrupt-").FullName;
    private string Staging => Path.Combine(_work, "staging");
    private string Out => Path.Combine(_work, "out");

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task Every_interrupt_exits_130_and_leaves_nothing_and_the_next_build_gives_the_same_bytes()
    {
        var recipe = Path.Combine(RepoRoot.Path, "recipes", "debian-bookworm.toml");
        var bundle = Path.Combine(_work, "bundle");
        var log = new StringWriter();
        var fetched = await CliApp.RunAsync(["fetch", recipe, "--cache", BookwormImageFixture.CacheDir, "--bundle", bundle, "-q"], log, log);
        Assert.True(fetched == 0, log.ToString());
        using var mirror = new SlowMirror(bundle) { Slow = false };
        var cache = Path.Combine(_work, "cache");
        var reference = Build(mirror, Path.Combine(_work, "reference-cache"), "reference.tar", null, 0);
        Assert.True(reference.Code == 0, reference.Stderr);
        var referenceSha = BuiltCli.Sha256(Path.Combine(Out, "reference.tar"));
        File.Delete(Path.Combine(Out, "reference.tar"));
        foreach (var sidecar in Directory.GetFiles(Out)) File.Delete(sidecar);

        mirror.Slow = true;
        foreach (var signal in new[] { 2, 15 })
            Interrupted(Build(mirror, cache, "download.tar", l => l.Contains("] download: 0 KiB", StringComparison.Ordinal), signal), signal, "download");
        mirror.Slow = false;
        foreach (var signal in new[] { 2, 15 })
            Interrupted(Build(mirror, cache, "chroot.tar", _ => SandboxRunning(), signal), signal, "chroot");
        foreach (var signal in new[] { 2, 15 })
            Interrupted(Build(mirror, cache, "pack.tar.xz", l => l.Contains("] pack: ", StringComparison.Ordinal), signal), signal, "pack");

        var again = Build(mirror, cache, "again.tar", null, 0);
        Assert.True(again.Code == 0, again.Stderr);
        Assert.Equal(referenceSha, BuiltCli.Sha256(Path.Combine(Out, "again.tar")));
    }

    private void Interrupted((int Code, string Stderr) run, int signal, string phase)
    {
        var what = $"{(signal == 2 ? "SIGINT" : "SIGTERM")} during {phase}";
        output.WriteLine($"{what}:\n{run.Stderr}");
        Assert.True(run.Code == 130, $"{what}: exit {run.Code}\n{run.Stderr}");
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"bootstrap: interrupted ({(signal == 2 ? "SIGINT" : "SIGTERM")}); {Line}", lines[^1]);
        Assert.DoesNotContain(lines, l => l.Contains("error", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(Directory.Exists(Staging) ? Directory.GetFileSystemEntries(Staging) : []);
        Assert.Empty(Directory.Exists(Out) ? Directory.GetFileSystemEntries(Out) : []);
        Assert.True(HostTools.WaitFor(() => ProcessesNamingWork().Count == 0, 5), $"{what}: processes left: {string.Join(", ", ProcessesNamingWork())}");
        Assert.DoesNotContain(HostTools.MountPoints(), m => m.StartsWith(_work, StringComparison.Ordinal));
    }

    /// <summary>Runs the built CLI; once <paramref name="trigger"/> holds (checked on each stderr line and every 20 ms), sends <paramref name="signal"/>.</summary>
    private (int Code, string Stderr) Build(SlowMirror mirror, string cache, string image, Func<string, bool>? trigger, int signal)
    {
        var command = BuiltCli.Command();
        var psi = new ProcessStartInfo(command[0]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in command.Skip(1).Concat([Path.Combine(RepoRoot.Path, "recipes", "debian-bookworm.toml"), "-o", Path.Combine(Out, image),
                     "--cache", cache, "--mirror", mirror.Url, "--source-date-epoch", BookwormImageFixture.Epoch.ToString()]))
            psi.ArgumentList.Add(a);
        psi.Environment["BOOTSTRAP_STAGING_DIR"] = Staging;
        using var p = Process.Start(psi)!;
        var stderr = new System.Text.StringBuilder();
        var fired = 0;
        void Fire()
        {
            if (Interlocked.Exchange(ref fired, 1) == 0) Assert.Equal(0, Kill(p.Id, signal));
        }
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stderr) stderr.AppendLine(e.Data);
            if (trigger?.Invoke(e.Data) == true) Fire();
        };
        p.BeginErrorReadLine();
        _ = p.StandardOutput.ReadToEndAsync();
        var sw = Stopwatch.StartNew();
        while (!p.WaitForExit(20))
        {
            if (trigger?.Invoke("") == true) Fire();
            if (sw.Elapsed > TimeSpan.FromMinutes(5)) { p.Kill(true); throw new TimeoutException(stderr.ToString()); }
        }
        p.WaitForExit();
        if (trigger is not null) Assert.True(fired == 1, "the build ended before the signal:\n" + stderr);
        lock (stderr) return (p.ExitCode, stderr.ToString());
    }

    /// <summary>True while the sandbox helper runs a command in one of this test's staging roots.</summary>
    private bool SandboxRunning() => ProcessesNamingWork().Any(c => c.Contains("bootstrap-sandbox", StringComparison.Ordinal) &&
                                                                    c.Contains(Staging, StringComparison.Ordinal));

    /// <summary>Command lines of processes that name this test's folder (the build and whatever it started).</summary>
    private List<string> ProcessesNamingWork()
    {
        var found = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
            try
            {
                var cmd = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmd.Contains(_work, StringComparison.Ordinal)) found.Add(cmd);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
