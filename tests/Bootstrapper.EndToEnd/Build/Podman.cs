namespace Bootstrapper.EndToEnd.Build;

/// <summary>Runs scripts in an image tar imported into podman (this machine's flags: see BookwormImageTests).</summary>
internal static class Podman
{
    private static readonly string[] RunFlags =
        ["--runtime", "runc", "--network=none", "--ulimit", "nofile=20000:20000", "--ulimit", "nproc=32768:32768"];

    /// <summary>Imports <paramref name="tar"/> under a fresh tag, runs the script, removes the image again.</summary>
    public static string Run(string tar, string script)
    {
        var tag = "localhost/bootstrap-e2e-run:" + Guid.NewGuid().ToString("N")[..12];
        Sh.Run("podman", "import", tar, tag).Ok("podman import");
        try
        {
            return Sh.Run("podman", ["run", "--rm", .. RunFlags, tag, "/bin/sh", "-c", script]).Ok($"podman run: {script}").Stdout;
        }
        finally
        {
            Sh.Run("podman", "rmi", "-f", tag);
        }
    }
}
