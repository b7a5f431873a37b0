namespace Bootstrapper.Core;

/// <summary>Words for the POSIX shell scripts the tool writes (the start-stop-daemon guard, accounts).</summary>
internal static class ShellWords
{
    /// <summary>Single-quoted, so the shell takes it literally (a quote inside becomes '\'').</summary>
    public static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
