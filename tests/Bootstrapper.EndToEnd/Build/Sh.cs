using System.Diagnostics;

namespace Bootstrapper.EndToEnd.Build;

/// <summary>Runs host commands for end-to-end checks (podman, tar, chroot, debootstrap).</summary>
internal static class Sh
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public Result Ok(string what)
        {
            if (ExitCode != 0)
                throw new Xunit.Sdk.XunitException($"{what} failed with exit code {ExitCode}:\n{Stdout}\n{Stderr}");
            return this;
        }
    }

    public static Result Run(string file, params string[] args) => RunWithTimeout(TimeSpan.FromMinutes(5), file, args);

    public static Result RunWithTimeout(TimeSpan timeout, string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeout}");
        }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    public static Result Bash(string script) => Run("bash", "-c", script);
}
