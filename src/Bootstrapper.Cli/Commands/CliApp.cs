using System.CommandLine;
using System.Runtime.InteropServices;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Cli.Commands;

/// <summary>
/// The command tree: `bootstrap RECIPE` (build, the default), `plan`, `schema`. Every action goes through
/// <see cref="RunAsync"/>'s error mapping: a <see cref="BootstrapException"/> prints its message and exits with
/// its code; anything else is a bug (exit 1, with the exception).
/// </summary>
public static class CliApp
{
    public static async Task<int> RunAsync(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        stdout ??= System.Console.Out;
        stderr ??= System.Console.Error;

        using var cts = new CancellationTokenSource();
        // SIGINT is handled by System.CommandLine's own token; SIGTERM (a scheduler stopping us) must also cancel,
        // so that the staging root is removed and the output's temporary file deleted.
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true;
            cts.Cancel();
        });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx =>
        {
            ctx.Cancel = true;
            cts.Cancel();
        });

        var root = Build(stdout, stderr);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
                stderr.WriteLine("error: " + e.Message);
            stderr.WriteLine("Try 'bootstrap --help'.");
            return ExitCodes.UsageOrRecipe;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false }, cts.Token);
        }
        catch (Exception thrown)
        {
            // Work done on several cores (Parallel.ForEach) wraps what it throws: judge the first real failure.
            var e = thrown is AggregateException a ? a.Flatten().InnerExceptions.FirstOrDefault(i => i is not OperationCanceledException)
                                                     ?? a.Flatten().InnerExceptions[0]
                                                   : thrown;
            switch (e)
            {
                case OperationCanceledException when cts.IsCancellationRequested:
                    stderr.WriteLine("bootstrap: interrupted; nothing was written");
                    return ExitCodes.Interrupted;
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

    private static RootCommand Build(TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand(
            "Builds Linux base images (Debian, Ubuntu, Alpine) from distribution packages: verified indices, " +
            "apt/apk-like resolution, hash-checked downloads, configured root, reproducible tar. Ubuntu recipes are " +
            "family \"debian\" with archive \"ubuntu\" and Ubuntu's keyring (recipes/ubuntu-noble.toml; mirror from " +
            "BOOTSTRAP_MIRROR_UBUNTU).");
        BuildCommand.Attach(root, stdout, stderr);
        root.Add(PlanCommand.Create(stdout, stderr));
        root.Add(SchemaCommand.Create(stdout));
        root.Add(LockCommand.Create(stdout));
        root.Add(FetchCommand.Create(stdout));
        root.Add(DiffCommand.Create(stdout));
        return root;
    }
}
