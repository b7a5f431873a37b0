namespace Bootstrapper.Engine.Os.Processes;

/// <summary>What to run: an executable (absolute path preferred), its arguments and its whole environment.</summary>
/// <param name="FileName">Executable; absolute, so the caller's PATH cannot pick a different binary.</param>
/// <param name="Arguments">Passed as an argument vector, never through a shell.</param>
/// <param name="Environment">
/// The child's complete environment. The caller's environment is NOT inherited: maintainer scripts must not see
/// the build host's TMPDIR, APT_CONFIG, locale or proxy settings (mmdebstrap unsets them for the same reason).
/// </param>
/// <param name="Description">Short name for logs and error messages ("dpkg --install (essential)").</param>
internal sealed record ProcessSpec(
    string FileName,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string> Environment,
    string Description);

/// <summary>How a process ended, and the last lines it printed (for error messages).</summary>
internal sealed record ProcessResult(int ExitCode, IReadOnlyList<string> LastLines, TimeSpan Elapsed)
{
    public bool Succeeded => ExitCode == 0;
}
