using System.Diagnostics;
using System.Runtime.Versioning;
using Bootstrapper.Core.Staging;
using Bootstrapper.Engine.Pipeline;

namespace Bootstrapper.Tests.Engine.Pipeline;

/// <summary>
/// A temporary folder (0755, so another user can reach into it) for staging-directory tests: directories with a
/// given mode and owner, a sentinel tree that must never change, and commands run as uid 65534 (the other local user).
/// </summary>
[UnsupportedOSPlatform("windows")]
internal sealed class StagingWorkspace : IDisposable
{
    public const int Nobody = 65534;

    public StagingWorkspace()
    {
        File.SetUnixFileMode(Root, (UnixFileMode)0b111_101_101);
        Directory.CreateDirectory(Path.Combine(Sentinel, "bin"));
        File.WriteAllText(Path.Combine(Sentinel, "bin", "sh"), "#!/bin/sh\necho the other user's program\n");
        File.WriteAllText(Path.Combine(Sentinel, "marker"), "unchanged\n");
    }

    public string Root { get; } = Directory.CreateTempSubdirectory("bootstrap-staging-test-").FullName;

    /// <summary>Stands for a tree the other user wants the build to use as its root: it must stay as it is.</summary>
    public string Sentinel => Path.Combine(Root, "sentinel");

    public string PathOf(string relative) => Path.Combine(Root, relative);

    /// <summary>Creates ROOT/relative with exactly the mode <paramref name="octal"/> ("1777") and the owner.</summary>
    public string Dir(string relative, string octal, int owner = -1)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32(octal, 8));
        if (owner >= 0) Chown(path, owner);
        return path;
    }

    public static void Chown(string path, int owner) => Run("chown", "-h", $"{owner}:{owner}", path);

    public static StagingParent Variable(string path) => new(path, StagingSource.Variable);

    /// <summary>Every entry under the sentinel with its mode and content.</summary>
    public List<string> SentinelState() =>
        Directory.EnumerateFileSystemEntries(Sentinel, "*", SearchOption.AllDirectories).Prepend(Sentinel)
            .Order(StringComparer.Ordinal)
            .Select(p => $"{p} {File.GetUnixFileMode(p)}" + (File.Exists(p) ? ":" + File.ReadAllText(p) : "")).ToList();

    /// <summary>Starts `sh -c SCRIPT` as uid/gid 65534 without supplementary groups.</summary>
    public static Process StartAsNobody(string script)
    {
        var psi = new ProcessStartInfo("setpriv",
            [$"--reuid={Nobody}", $"--regid={Nobody}", "--clear-groups", "sh", "-c", script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        return Process.Start(psi)!;
    }

    /// <summary>Runs `sh -c SCRIPT` as uid 65534 and returns its standard output.</summary>
    public static string RunAsNobody(string script)
    {
        using var p = StartAsNobody(script);
        var output = p.StandardOutput.ReadToEnd();
        var errors = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"script as uid {Nobody} exited {p.ExitCode}: {errors}");
        return output;
    }

    private static void Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true })!;
        var errors = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)}: {errors}");
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
