using Bootstrapper.EndToEnd.Build;

namespace Bootstrapper.EndToEnd.Rootless;

/// <summary>
/// A real unprivileged user for the rootless tests, made with the host's tools (useradd, usermod --add-subuids),
/// and a copy of the built CLI that such a user can read (the repository may sit under a 0700 home).
/// </summary>
internal sealed class RootlessUser
{
    public const string Name = "bootstrap-rootless";
    public const string NoSubidsName = "bootstrap-nosubids";
    public const string Home = "/var/tmp/bootstrap-rootless-home";
    private const string CliCopy = "/var/tmp/bootstrap-rootless-cli";
    private static readonly Lock Gate = new();
    private static bool _ready;

    /// <summary>Creates the users and the CLI copy once per test run.</summary>
    public static void Ensure()
    {
        lock (Gate)
        {
            if (_ready) return;
            MakeUser(Name, Home);
            // useradd gives new users subordinate ids when login.defs asks (Debian's does): this one must have none.
            if (File.ReadAllText("/etc/subuid").Contains(NoSubidsName + ":", StringComparison.Ordinal))
                Sh.Run("userdel", "--remove", NoSubidsName).Ok("userdel");
            MakeUser(NoSubidsName, Home + "-nosubids", "-K", "SUB_UID_COUNT=0", "-K", "SUB_GID_COUNT=0");
            // A block of subordinate ids of its own, as an administrator would give it (only the first user).
            if (!File.ReadAllText("/etc/subuid").Contains(Name + ":", StringComparison.Ordinal))
                Sh.Run("usermod", "--add-subuids", "300000-365535", "--add-subgids", "300000-365535", Name).Ok("usermod");
            var cliDir = Path.GetDirectoryName(BuiltCli.Command()[^1])!;
            Sh.Run("rm", "-rf", CliCopy).Ok("rm");
            Sh.Run("cp", "-a", cliDir, CliCopy).Ok("copy the CLI");
            Sh.Run("chmod", "-R", "a+rX", CliCopy).Ok("chmod");
            _ready = true;
        }
    }

    private static void MakeUser(string name, string home, params string[] options)
    {
        if (Sh.Run("id", "-u", name).ExitCode != 0)
            Sh.Run("useradd", ["--home-dir", home, "--create-home", "--shell", "/bin/sh", .. options, name]).Ok("useradd " + name);
    }

    /// <summary>Runs the copied CLI as <paramref name="user"/> with a clean login-like environment.</summary>
    public static Sh.Result Run(string user, IEnumerable<string> args, params string[] environment) =>
        RunIn("/", user, args, environment);

    /// <summary>The same, from <paramref name="directory"/> (where recipes' relative output paths land).</summary>
    public static Sh.Result RunIn(string directory, string user, IEnumerable<string> args, params string[] environment)
    {
        var home = user == Name ? Home : Home + "-nosubids";
        var cli = Path.Combine(CliCopy, Path.GetFileName(BuiltCli.Command()[^1]));
        var command = BuiltCli.Command().Length == 1 ? new[] { cli } : ["dotnet", cli];
        return Sh.RunWithTimeout(TimeSpan.FromMinutes(10), "runuser",
            ["-u", user, "--", "env", "-i", $"HOME={home}", "PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8",
             "DOTNET_CLI_TELEMETRY_OPTOUT=1", .. environment, "sh", "-c", "cd \"$0\" && exec \"$@\"", directory,
             .. command, .. args]);
    }
}
