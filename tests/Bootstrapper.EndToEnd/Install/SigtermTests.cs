using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Bootstrapper.EndToEnd.Install;

/// <summary>
/// SIGTERM to a build process that is running a chrooted command: the command's whole tree dies with it and no
/// mount is left. The "build" is a small file-based C# program using the Engine (compiled by `dotnet build
/// helper.cs`, ~40 s on a busy 2-core machine), because the signal must hit a separate .NET process.
/// </summary>
public sealed class SigtermTests
{
    private static string EngineProject([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "../../../src/Bootstrapper.Engine/Bootstrapper.Engine.csproj"));

    private const string Program = """
        using Bootstrapper.Engine.Families.Debian.Install;
        var runner = new ChrootRunner(args[0], null, Console.WriteLine);
        var r = await runner.RunAsync(["sh", "-c", "echo started; sleep 300 & sleep 301 & wait"], "sleepers", CancellationToken.None);
        Console.WriteLine("exit " + r.ExitCode);
        """;

    [Fact]
    public void Sigterm_to_the_build_kills_the_chrooted_tree_and_leaves_no_mount()
    {
        using var box = new BusyboxRoot();
        // A fixed directory: `dotnet build FILE.cs` keeps its intermediate files per source path (under
        // ~/.local/share/dotnet/runfile), so a fixed path reuses them instead of leaving a new set each run.
        var dir = "/var/tmp/bootstrapper-e2e/sigterm-helper";
        Directory.CreateDirectory(dir);
        var source = Path.Combine(dir, "sigterm-helper.cs");
        File.WriteAllText(source, $"#:project {EngineProject()}\n{Program}");
        var build = HostTools.Run("dotnet", ["build", source, "-o", Path.Combine(dir, "out")], dir, timeoutSeconds: 240);
        Assert.True(build.ExitCode == 0, build.StdOut + build.StdErr);

        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(dir, "out", "sigterm-helper.dll"));
        psi.ArgumentList.Add(box.Root);
        using var helper = Process.Start(psi)!;
        var lines = new List<string>();
        helper.OutputDataReceived += (_, e) => { if (e.Data != null) lock (lines) lines.Add(e.Data); };
        helper.BeginOutputReadLine();
        Assert.True(HostTools.WaitFor(() => box.ProcessesInside().Count >= 3, 30),
            "the chrooted sleepers did not start; helper output: " + string.Join(" | ", lines) + (helper.HasExited ? $" (exited {helper.ExitCode})" : ""));

        Assert.Equal(0, Libc.Kill(helper.Id, 15));
        Assert.True(helper.WaitForExit(10_000), "the helper did not exit on SIGTERM");
        // Either the runtime's default SIGTERM action ended the helper (143), or our signal handler killed the
        // tree first and the helper saw its child die (SIGKILL: 137) and returned. Both are fine; what matters
        // is what is left behind.
        Assert.True(HostTools.WaitFor(() => box.ProcessesInside().Count == 0, 5),
            "processes left in the root: " + string.Join(",", box.ProcessesInside()));
        Assert.Empty(HostTools.MountsUnder(box.Root));
        lock (lines) Assert.DoesNotContain("exit 0", lines);
    }

    private static class Libc
    {
        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        public static extern int Kill(int pid, int signal);
    }
}
