using System.Diagnostics;
using Bootstrapper.Cli.Commands;
using Bootstrapper.EndToEnd.Build;
using Bootstrapper.EndToEnd.Install;

namespace Bootstrapper.EndToEnd.Interrupts;

/// <summary>
/// SIGINT and SIGTERM to the real `bootstrap` process during the download (a bundle of bookworm served slowly on
/// 127.0.0.1), during a chroot command (the sandbox helper running in the staging root) and during pack (.tar.xz,
/// seconds of compression). Each must end with exit 130 and the one interrupt line, leave no staging root, no
/// temporary output, no process and no mount; and the next build on the same cache gives the reference bytes.
/// The six interrupted builds and the reference build (on the warm end-to-end cache) run at the same time, each in a folder of
/// its own (staging, output; its processes and mounts are found by that folder): one after the other they took
/// 47 s on a quiet machine and 3 min 11 s on a busy one, nearly all of it the installs the chroot and pack cases
/// and the reference need, which mostly wait on dpkg's one core.
/// </summary>
public sealed class InterruptTests(ITestOutputHelper output) : IDisposable
{
    private const string Line = "stopped every child process and removed the staging root and temporary files";
    private readonly string _work = Directory.CreateTempSubdirectory("bootstrap-interrupt-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    /// <summary>One build: its staging and output folders are below <see cref="Dir"/>.</summary>
    private sealed record Run(string Dir, string Image)
    {
        public string Staging => Path.Combine(Dir, "staging");
        public string Out => Path.Combine(Dir, "out");
        public string ImagePath => Path.Combine(Out, Image);
    }

    [Fact]
    public async Task Every_interrupt_exits_130_and_leaves_nothing_and_the_next_build_gives_the_same_bytes()
    {
        var clock = Stopwatch.StartNew();
        var recipe = Path.Combine(RepoRoot.Path, "recipes", "debian-bookworm.toml");
        var bundle = Path.Combine(_work, "bundle");
        var log = new StringWriter();
        var fetched = await CliApp.RunAsync(["fetch", recipe, "--cache", BookwormImageFixture.CacheDir, "--bundle", bundle, "-q"], log, log);
        Assert.True(fetched == 0, log.ToString());
        // The image names its mirror: the reference and the last build use the same one (never slow).
        using var fast = new SlowMirror(bundle) { Slow = false };
        using var slow = new SlowMirror(bundle) { Slow = true };
        var cache = Path.Combine(_work, "cache");
        // Verified indices and the universe snapshot (hard links: cache files are replaced by rename, never
        // rewritten): seven cold plans at once took 6-8 s each. The packages stay cold: the download is interrupted.
        Directory.CreateDirectory(cache);
        Sh.Run("cp", "-al", Path.Combine(BookwormImageFixture.CacheDir, "debian"), Path.Combine(cache, "debian"));
        var reference = new Run(Path.Combine(_work, "reference"), "reference.tar");

        var cases = new List<Task>
        {
            Task.Run(() =>
            {
                // The shared end-to-end cache (warm: the bundle came from it), not the one the interrupts share.
                var r = Build(fast, BookwormImageFixture.CacheDir, reference, null, 0);
                Assert.True(r.Code == 0, r.Stderr);
            }),
        };
        foreach (var signal in new[] { 2, 15 })
        {
            cases.Add(Case(slow, cache, signal, "download", "download.tar", (_, l) => l.Contains("] download: 0 KiB", StringComparison.Ordinal)));
            cases.Add(Case(fast, cache, signal, "chroot", "chroot.tar", (run, _) => SandboxRunning(run)));
            cases.Add(Case(fast, cache, signal, "pack", "pack.tar.xz", (_, l) => l.Contains("] pack: ", StringComparison.Ordinal)));
        }
        await Task.WhenAll(cases);
        output.WriteLine($"reference and six interrupted builds: {clock.Elapsed.TotalSeconds:0.0} s");

        var again = new Run(Path.Combine(_work, "again"), "again.tar");
        var last = Build(fast, cache, again, null, 0);
        Assert.True(last.Code == 0, last.Stderr);
        Assert.Equal(BuiltCli.Sha256(reference.ImagePath), BuiltCli.Sha256(again.ImagePath));
        output.WriteLine($"total: {clock.Elapsed.TotalSeconds:0.0} s");
    }

    private Task Case(SlowMirror mirror, string cache, int signal, string phase, string image, Func<Run, string, bool> trigger) =>
        Task.Run(() =>
        {
            var run = new Run(Path.Combine(_work, $"{phase}-{signal}"), image);
            Interrupted(run, Build(mirror, cache, run, line => trigger(run, line), signal), signal, phase);
        });

    private void Interrupted(Run run, (int Code, string Stderr) result, int signal, string phase)
    {
        var what = $"{(signal == 2 ? "SIGINT" : "SIGTERM")} during {phase}";
        lock (output) output.WriteLine($"{what}:\n{result.Stderr}");
        Assert.True(result.Code == 130, $"{what}: exit {result.Code}\n{result.Stderr}");
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"bootstrap: interrupted ({(signal == 2 ? "SIGINT" : "SIGTERM")}); {Line}", lines[^1]);
        Assert.DoesNotContain(lines, l => l.Contains("error", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(Directory.Exists(run.Staging) ? Directory.GetFileSystemEntries(run.Staging) : []);
        Assert.Empty(Directory.Exists(run.Out) ? Directory.GetFileSystemEntries(run.Out) : []);
        Assert.True(HostTools.WaitFor(() => ProcessesNaming(run.Dir).Count == 0, 5),
            $"{what}: processes left: {string.Join(", ", ProcessesNaming(run.Dir))}");
        Assert.DoesNotContain(HostTools.MountPoints(), m => m.StartsWith(run.Dir, StringComparison.Ordinal));
    }

    /// <summary>Runs the built CLI; once <paramref name="trigger"/> holds (checked on each stderr line and every 20 ms), sends <paramref name="signal"/>.</summary>
    private static (int Code, string Stderr) Build(SlowMirror mirror, string cache, Run run, Func<string, bool>? trigger, int signal)
    {
        var command = BuiltCli.Command();
        var psi = new ProcessStartInfo(command[0]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in command.Skip(1).Concat([Path.Combine(RepoRoot.Path, "recipes", "debian-bookworm.toml"), "-o", run.ImagePath,
                     "--cache", cache, "--mirror", mirror.Url, "--source-date-epoch", BookwormImageFixture.Epoch.ToString()]))
            psi.ArgumentList.Add(a);
        psi.Environment["BOOTSTRAP_STAGING_DIR"] = run.Staging;
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

    /// <summary>True while the sandbox helper runs a command in the run's staging root.</summary>
    private static bool SandboxRunning(Run run) => ProcessesNaming(run.Staging).Any(c => c.Contains("bootstrap-sandbox", StringComparison.Ordinal));

    /// <summary>Command lines of processes that name <paramref name="folder"/> (a build and whatever it started).</summary>
    private static List<string> ProcessesNaming(string folder)
    {
        var found = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
            try
            {
                var cmd = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmd.Contains(folder, StringComparison.Ordinal)) found.Add(cmd);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
