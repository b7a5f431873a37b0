using Bootstrapper.Core.Customization;
using Bootstrapper.Engine.Os.Files;

namespace Bootstrapper.Engine.Families.Debian.Customize;

/// <summary>
/// Applies <see cref="MinimizeRules"/> to a configured root: removes what dpkg would have left out, and leaves the
/// rules as dpkg configuration. dpkg itself keeps filtered paths in the package's file list, so `dpkg --verify`
/// then reports each as missing; here the removed paths also leave the lists and md5sums, so the image verifies
/// clean. Packages installed later with the rules in place are dpkg's business (their filtered files are listed).
/// </summary>
internal static class CustomizeMinimize
{
    /// <returns>How many paths were removed.</returns>
    public static int Apply(string root, MinimizeSpec spec)
    {
        var rules = new MinimizeRules(spec);
        var removed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var dir in rules.Roots) Walk(root, dir, rules, removed);
        if (removed.Count > 0) ForgetInDpkgDatabase(root, removed);
        RootFs.WriteText(root, MinimizeRules.ConfigPath, rules.ConfigText());
        return removed.Count;
    }

    /// <summary>Depth first: a directory goes when the rules exclude it and nothing in it was kept.</summary>
    private static void Walk(string root, string dir, MinimizeRules rules, HashSet<string> removed)
    {
        foreach (var name in RootFs.List(root, dir))
        {
            var path = dir + "/" + name;
            if (!RootFs.TryLstat(root, path, out var s)) continue;
            if (s.IsDirectory)
            {
                Walk(root, path, rules, removed);
                if (rules.Excludes(path) && RootFs.List(root, path).Count == 0 && RootFs.Delete(root, path)) removed.Add(path);
            }
            else if (rules.Excludes(path) && RootFs.Delete(root, path)) removed.Add(path);
        }
    }

    private static void ForgetInDpkgDatabase(string root, HashSet<string> removed)
    {
        foreach (var name in RootFs.List(root, "var/lib/dpkg/info"))
        {
            var rel = "var/lib/dpkg/info/" + name;
            // .list names "/usr/share/doc/x"; .md5sums "HASH  usr/share/doc/x".
            Func<string, bool>? gone = name.EndsWith(".list", StringComparison.Ordinal) ? line => removed.Contains(line)
                : name.EndsWith(".md5sums", StringComparison.Ordinal) ? line => line.Length > 34 && removed.Contains("/" + line[34..])
                : null;
            if (gone is null) continue;
            var lines = RootFs.ReadLines(root, rel);
            var kept = lines.Where(l => !gone(l)).ToList();
            if (kept.Count != lines.Count)
                RootFs.Rewrite(root, rel, kept.Count == 0 ? "" : string.Join('\n', kept) + "\n");
        }
    }
}
