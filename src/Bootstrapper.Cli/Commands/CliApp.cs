using System.CommandLine;
using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Os.Processes;

namespace Bootstrapper.Cli.Commands;

/// <summary>
/// The command tree: `bootstrap RECIPE` (build, the default), `plan`, `schema`. Every action goes through
/// <see cref="RunAsync"/>'s error mapping: a <see cref="BootstrapException"/> prints its message and exits with
/// its code; anything else is a bug (exit 1, with the exception).
/// </summary>
internal static class CliApp
{
    public static async Task<int> RunAsync(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        stdout ??= System.Console.Out;
        stderr ??= System.Console.Error;

        // One interruption path for every command (see Interruption): the first SIGINT/SIGTERM/SIGHUP stops the
        // children and cancels; cleanup runs in finally blocks; a second signal ends the process at once.
        Interruption.Install();
        var token = Interruption.Token;

        var root = Build(stdout, stderr);
        var parse = root.Parse(WithDefaultCommand(root, args));
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
                stderr.WriteLine("error: " + e.Message);
            stderr.WriteLine("Try 'bootstrap --help'.");
            return ExitCodes.UsageOrRecipe;
        }
        try
        {
            var code = await parse.InvokeAsync(new InvocationConfiguration
            {
                Output = stdout,
                Error = stderr,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null, // System.CommandLine's own handling waited 2 s and skipped cleanup
            }, token);
            return Interruption.Requested && code != ExitCodes.Success ? Interrupted(stderr) : code;
        }
        catch (Exception thrown)
        {
            // Work done on several cores (Parallel.ForEach) wraps what it throws: judge the first real failure.
            var e = thrown is AggregateException a ? a.Flatten().InnerExceptions.FirstOrDefault(i => i is not OperationCanceledException)
                                                     ?? a.Flatten().InnerExceptions[0]
                                                   : thrown;
            // After a signal every failure (a killed dpkg, an aborted request) is the interrupt's doing: one line.
            if (Interruption.Requested) return Interrupted(stderr);
            switch (e)
            {
                case BootstrapException b:
                    stderr.WriteLine("error: " + b.Message);
                    return b.ExitCode;
                default:
                    // A bug, not bad input (a timeout that escaped the retry policy lands here too): say so, with what
                    // a bug report needs, instead of the runtime's abort (exit 134). Cleanup has already run: every
                    // staging root and temporary output is removed in finally blocks.
                    stderr.WriteLine($"error: internal error (a bug in bootstrap; please report it with this message): {e.Message}");
                    stderr.WriteLine(thrown.ToString());
                    return ExitCodes.InternalError;
            }
        }
    }

    /// <summary>`bootstrap RECIPE... [options]` means `bootstrap build RECIPE... [options]`.</summary>
    internal static string[] WithDefaultCommand(RootCommand root, string[] args) =>
        args.Length == 0 || args[0] is "--help" or "-h" or "-?" or "--version" || root.Subcommands.Any(c => c.Name == args[0])
            ? args
            : ["build", .. args];

    private static int Interrupted(TextWriter stderr)
    {
        stderr.WriteLine($"bootstrap: interrupted ({Interruption.SignalName}); stopped every child process and removed the " +
                         "staging root and temporary files");
        return ExitCodes.Interrupted;
    }

    private static RootCommand Build(TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand(
            "Builds Linux base images (Debian, Ubuntu, Alpine) from distribution packages: verified indices, " +
            "apt/apk-like resolution, hash-checked downloads, configured root, reproducible tar. `bootstrap RECIPE...` is " +
            "`bootstrap build RECIPE...`. Ubuntu recipes are family \"debian\" with archive \"ubuntu\" and Ubuntu's keyring " +
            "(recipes/ubuntu-noble.toml; mirror from BOOTSTRAP_MIRROR_UBUNTU).");
        BuildCommand.Attach(root, stdout, stderr);
        root.Add(PlanCommand.Create(stdout, stderr));
        root.Add(SchemaCommand.Create(stdout));
        root.Add(LockCommand.Create(stdout, stderr));
        root.Add(FetchCommand.Create(stdout, stderr));
        root.Add(DiffCommand.Create(stdout));
        root.Add(PushCommand.Create(stdout, stderr));
        return root;
    }
}
