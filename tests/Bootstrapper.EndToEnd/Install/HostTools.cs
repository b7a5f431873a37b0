using System.Diagnostics;
using Bootstrapper.Engine.Sandbox;

namespace Bootstrapper.EndToEnd.Install;

/// <summary>Runs host tools for the tests and reads the host's apt configuration (never a hard-coded mirror).</summary>
public static class HostTools
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    public static Result Run(string file, IEnumerable<string> args, string? workDir = null, int timeoutSeconds = 300)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workDir ?? "/",
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["LC_ALL"] = "C.UTF-8";
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutSeconds * 1000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} took more than {timeoutSeconds} s");
        }
        return new Result(p.ExitCode, o.Result, e.Result);
    }

    public static string RunOk(string file, params string[] args)
    {
        var r = Run(file, args);
        if (r.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {r.ExitCode}: {r.StdErr}{r.StdOut}");
        return r.StdOut;
    }

    /// <summary>Runs a command chrooted into <paramref name="root"/> with a private /proc, as the checks need.</summary>
    public static Result InChroot(string root, params string[] command) =>
        Run("/usr/bin/unshare", ["--mount", "--propagation", "private", "--pid", "--kill-child", "--mount-proc=/proc",
            "--root=" + root, "--wd=/", "--", .. command]);

    /// <summary>The first Debian mirror URL of the host's deb822 apt sources that serves <paramref name="suite"/>.</summary>
    public static string HostDebianMirror(string suite)
    {
        foreach (var file in Directory.GetFiles("/etc/apt/sources.list.d", "*.sources").Order())
        {
            foreach (var para in File.ReadAllText(file).Split("\n\n"))
            {
                string? uris = null, suites = null;
                foreach (var line in para.Split('\n'))
                {
                    if (line.StartsWith("URIs:", StringComparison.Ordinal)) uris = line[5..].Trim();
                    if (line.StartsWith("Suites:", StringComparison.Ordinal)) suites = line[7..].Trim();
                }
                if (uris is not null && suites is not null && suites.Split(' ').Contains(suite))
                    return uris.Split(' ')[0];
            }
        }
        foreach (var line in File.Exists("/etc/apt/sources.list") ? File.ReadAllLines("/etc/apt/sources.list") : [])
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length >= 3 && f[0] == "deb" && f[2] == suite) return f[1];
        }
        throw new InvalidOperationException($"The host's apt sources name no mirror for {suite}.");
    }

    /// <summary>
    /// path -> "TYPE MODE UID:GID LINKTARGET SHA256" for every entry under <paramref name="root"/> (mtimes left out:
    /// the packer clamps them). Links are not followed.
    /// </summary>
    public static Dictionary<string, string> ContentManifest(string root)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in RunOk("/usr/bin/find", root, "-mindepth", "1", "-printf", "%y %m %U:%G %l\t%P\n").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var tab = line.IndexOf('\t');
            var (meta, path) = (line[..tab], line[(tab + 1)..]);
            var hash = meta[0] == 'f' ? Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(root, path)))) : "";
            result[path] = meta + " " + hash;
        }
        return result;
    }

    /// <summary>Mount points at or below <paramref name="root"/> in this process's mount namespace.</summary>
    public static List<string> MountsUnder(string root) =>
        MountPoints().Where(m => m == root || m.StartsWith(root + "/", StringComparison.Ordinal)).ToList();

    /// <summary>Mount points of this process's mount namespace (field 5 of mountinfo).</summary>
    public static List<string> MountPoints() =>
        File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4]).ToList();

    /// <summary>
    /// Processes running in <paramref name="root"/>: those whose root directory (/proc/PID/root) is it, and every
    /// sandbox helper started for it with all its descendants (inside the sandbox the host sees the command's root
    /// under the sandbox's own mount namespace, not under the host path).
    /// </summary>
    public static List<int> ProcessesWithRoot(string root)
    {
        var parents = new Dictionary<int, int>();
        var result = new HashSet<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                parents[pid] = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                if (new DirectoryInfo(Path.Combine(dir, "root")).LinkTarget == root) result.Add(pid);
                var argv = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
                if (Path.GetFileName(argv[0]) == SandboxCommand.HelperName && argv.Contains(root)) result.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        bool added;
        do
        {
            added = false;
            foreach (var (pid, parent) in parents)
                if (!result.Contains(pid) && result.Contains(parent)) added = result.Add(pid) || added;
        } while (added);
        return [.. result];
    }

    /// <summary>Waits up to <paramref name="seconds"/> for <paramref name="condition"/>.</summary>
    public static bool WaitFor(Func<bool> condition, double seconds)
    {
        var end = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < end)
        {
            if (condition()) return true;
            Thread.Sleep(50);
        }
        return condition();
    }
}
