namespace Bootstrapper.Core.Customization;

/// <summary>
/// The groupadd and useradd calls that make a recipe's accounts, as one shell script run in the image: the image's
/// own shadow tools write passwd, shadow, group and gshadow (and their backups) exactly as an administrator's
/// commands would. <c>--no-log-init</c> keeps users out of lastlog and faillog, which are sparse files sized by
/// the highest uid and carry login times, not accounts.
/// </summary>
internal static class AccountCommands
{
    public static string Script(IReadOnlyList<GroupSpec> groups, IReadOnlyList<UserSpec> users)
    {
        var lines = new List<string> { "set -e" };
        foreach (var g in groups)
        {
            var args = new List<string> { "groupadd" };
            if (g.Gid is { } gid) args.AddRange(["--gid", gid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            if (g.System) args.Add("--system");
            args.Add(g.Name);
            lines.Add(Join(args));
        }
        foreach (var u in users)
        {
            var args = new List<string> { "useradd", "--no-log-init" };
            if (u.Uid is { } uid) args.AddRange(["--uid", uid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            if (u.Group is { } group) args.AddRange(["--gid", group]);
            if (u.Groups.Count > 0) args.AddRange(["--groups", string.Join(',', u.Groups)]);
            if (u.Home is { } home) args.AddRange(["--home-dir", home]);
            // A home from /etc/skel for people; a system user gets one only when the recipe names it.
            if (!u.System || u.Home is not null) args.Add("--create-home");
            if (u.Shell is { } shell) args.AddRange(["--shell", shell]);
            if (u.Comment is { } comment) args.AddRange(["--comment", comment]);
            if (u.System) args.Add("--system");
            args.Add(u.Name);
            lines.Add(Join(args));
        }
        return string.Join('\n', lines) + "\n";
    }

    private static string Join(IEnumerable<string> args) => string.Join(' ', args.Select(Quote));

    /// <summary>A word as it is, when the shell would take it so anyway; else single-quoted.</summary>
    public static string Quote(string s) =>
        s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '/' or '.' or ',' or ':' or '=')
            ? s
            : ShellWords.Quote(s);
}
