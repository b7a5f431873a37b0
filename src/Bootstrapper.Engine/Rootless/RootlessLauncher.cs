using System.Runtime.InteropServices;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Engine.Rootless;

/// <summary>
/// Re-executes the build in a user namespace: util-linux's <c>unshare --map-auto --map-root-user</c> maps the
/// invoking user to root and the first block of its subordinate ids to 1..65535 (through newuidmap/newgidmap), then
/// execs us again with <see cref="UserNamespace.Marker"/> set. execve replaces this process, so the terminal,
/// signals and the exit code stay the user's; inside, the build runs unchanged: owners are real, the sandbox
/// creates its namespaces as the namespace's root, and the packer reads the owners the root build would.
/// </summary>
internal static partial class RootlessLauncher
{
    public const string Unshare = "/usr/bin/unshare";

    /// <summary>unshare's options for the namespace (also used by the preflight probe).</summary>
    public static readonly string[] UnshareArguments = ["--map-auto", "--map-root-user"];

    [LibraryImport("libc.so.6", EntryPoint = "execve", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Execve(string path, nint[] argv, nint[] envp);

    /// <summary>The command line that runs <paramref name="program"/> (this process: host and arguments) inside.</summary>
    public static IReadOnlyList<string> CommandLine(IReadOnlyList<string> program) => [Unshare, .. UnshareArguments, "--", .. program];

    /// <summary>Replaces this process with the same build inside the user namespace. Returns only by throwing.</summary>
    /// <param name="program">This program: its executable (and, under the dotnet host, its assembly) and arguments.</param>
    public static void ReExec(IReadOnlyList<string> program, uint realUid)
    {
        var argv = CommandLine(program);
        var env = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Where(e => (string)e.Key != UserNamespace.Marker)
            .Select(e => $"{e.Key}={e.Value}")
            .Append($"{UserNamespace.Marker}={realUid}")
            .ToList();
        Console.Out.Flush();
        Console.Error.Flush();
        var a = Native(argv);
        var e = Native(env);
        Execve(Unshare, a, e);
        var errno = Marshal.GetLastPInvokeError();
        throw new BootstrapException(ExitCodes.NeedsPrivileges,
            $"cannot re-execute the build in a user namespace through {Unshare} (errno {errno}); install util-linux, or run the build as root.");
    }

    private static nint[] Native(IReadOnlyList<string> strings) =>
        [.. strings.Select(Marshal.StringToCoTaskMemUTF8), 0];
}
