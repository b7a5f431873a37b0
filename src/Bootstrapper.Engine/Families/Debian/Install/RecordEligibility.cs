using System.Formats.Tar;
using Bootstrapper.Engine.Archives;
using Bootstrapper.Engine.Families.Debian.Deb;
using Bootstrapper.Engine.Os.Files;

namespace Bootstrapper.Engine.Families.Debian.Install;

/// <summary>One member of a package's data archive: its normalized relative path, whether it is a directory, and its
/// owner as the archive names and numbers it (names empty when the archive gives none).</summary>
internal readonly record struct PackageMember(string Path, bool IsDirectory, string UserName = "", int Uid = 0,
    string GroupName = "", int Gid = 0);

/// <summary>
/// Decides whether a set of packages unpacked together into a configured root may be extracted by us and recorded
/// (<see cref="DpkgUnpackRecord"/>) instead of unpacked by dpkg. dpkg's unpack does more than write files when a
/// package meets something already there, and those cases are left to dpkg itself:
/// <list type="bullet">
/// <item>a file, symlink or node where something already exists: dpkg checks Replaces, takes the path over in the
/// other package's list, or keeps a locally changed conffile;</item>
/// <item>the same path in two packages of the set;</item>
/// <item>a path that is diverted, or lies below a diverted one: dpkg writes it to the diversion's target;</item>
/// <item>a path with a dpkg-statoverride entry: dpkg gives it the override's owner and mode;</item>
/// <item>a path under a file trigger's interest: dpkg activates the trigger for the (configured) interested package;</item>
/// <item>an owner whose name the root's passwd or group maps to another number than the archive's: dpkg goes by the
/// name (a user an earlier package's postinst created), the extractor by the number.</item>
/// </list>
/// Directories are shared freely: an existing directory stays as it is, for dpkg and for the extractor alike.
/// </summary>
internal static class RecordEligibility
{
    /// <summary>The members of a .deb's data archive, in archive order (read without writing anything).</summary>
    public static List<PackageMember> Members(DebArchive deb, string packageLabel)
    {
        using var tar = deb.OpenData(readAhead: false);
        var members = new List<PackageMember>();
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.EntryType == TarEntryType.GlobalExtendedAttributes) continue;
            var relative = MemberPath.Normalize(entry.Name, packageLabel);
            if (relative.Length == 0) continue;
            var posix = entry as PosixTarEntry;
            members.Add(new PackageMember(relative, entry.EntryType == TarEntryType.Directory,
                posix?.UserName ?? "", entry.Uid, posix?.GroupName ?? "", entry.Gid));
        }
        return members;
    }

    /// <summary>Why dpkg must unpack these packages itself, or null when recording them is the same.</summary>
    /// <param name="root">The staging root, with its dpkg database.</param>
    /// <param name="packages">Package name and members, for every package to be unpacked together.</param>
    public static string? ReasonForDpkg(string root, IReadOnlyList<(string Name, IReadOnlyList<PackageMember> Members)> packages)
    {
        var diverted = Diversions(root);
        var overridden = StatOverrides(root);
        var interests = FileTriggerInterests(root);
        var users = Ids(root, "etc/passwd");
        var groups = Ids(root, "etc/group");

        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, members) in packages)
            foreach (var m in members)
            {
                var absolute = "/" + m.Path;
                if (Under(absolute, diverted) is { } d) return $"{name} ships {absolute}, and {d} is diverted";
                if (overridden.Contains(absolute)) return $"{name} ships {absolute}, whose owner and mode dpkg-statoverride sets";
                if (Under(absolute, interests) is { } t) return $"{name} ships {absolute}, which activates the file trigger on {t}";
                if (OwnerMismatch(new MemberOwner(m.UserName, m.Uid, m.GroupName, m.Gid), users, groups) is { } owner)
                    return $"{name} ships {absolute} owned by {owner}";
                if (m.IsDirectory) continue;
                if (seen.TryGetValue(m.Path, out var other)) return $"{name} and {other} both ship {absolute}";
                seen[m.Path] = name;
                if (RootFs.Exists(root, m.Path)) return $"{name} ships {absolute}, which is already in the root";
            }
        return null;
    }

    /// <summary>
    /// Whether dpkg would give a member another owner than its archive numbers: when the root's passwd or group
    /// knows the name under another number. Essential packages are checked against base-passwd's master files (what
    /// its preinst, the first one dpkg runs, writes to /etc) and whatever /etc already holds.
    /// </summary>
    /// <returns>Null when dpkg and the extractor agree for every owner, else what differs.</returns>
    public static string? EssentialOwnerMismatch(string root, IEnumerable<MemberOwner> owners)
    {
        var users = Ids(root, "usr/share/base-passwd/passwd.master");
        var groups = Ids(root, "usr/share/base-passwd/group.master");
        foreach (var (file, ids) in new[] { ("etc/passwd", users), ("etc/group", groups) })
            foreach (var (k, v) in Ids(root, file)) ids.TryAdd(k, v);
        foreach (var o in owners.Distinct())
            if (OwnerMismatch(o, users, groups) is { } what) return what;
        return null;
    }

    private static string? OwnerMismatch(MemberOwner o, Dictionary<string, int> users, Dictionary<string, int> groups)
    {
        if (o.UserName.Length > 0 && users.TryGetValue(o.UserName, out var uid) && uid != o.Uid)
            return $"{o.UserName}, which is uid {uid} in the root, not {o.Uid}";
        if (o.GroupName.Length > 0 && groups.TryGetValue(o.GroupName, out var gid) && gid != o.Gid)
            return $"group {o.GroupName}, which is gid {gid} in the root, not {o.Gid}";
        return null;
    }

    /// <summary>
    /// Name -> number from a passwd or group file in the root (third field); empty when the file is missing. Read
    /// through <see cref="RootFs"/>: a package's etc/passwd -&gt; /etc/passwd link names the root's file, not the host's.
    /// </summary>
    internal static Dictionary<string, int> Ids(string root, string relative)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in RootFs.ReadLines(root, relative))
        {
            var fields = line.Split(':');
            if (fields.Length > 2 && int.TryParse(fields[2], out var id)) ids.TryAdd(fields[0], id);
        }
        return ids;
    }

    /// <summary>The path itself or its nearest parent found in <paramref name="paths"/>, else null.</summary>
    private static string? Under(string absolute, HashSet<string> paths)
    {
        if (paths.Count == 0) return null;
        for (var p = absolute; p.Length > 0; p = p[..Math.Max(0, p.LastIndexOf('/'))])
            if (paths.Contains(p)) return p;
        return null;
    }

    /// <summary>
    /// Both ends of every diversion in var/lib/dpkg/diversions (lines in threes: from, to, package): dpkg redirects
    /// writes to the first and guards the second.
    /// </summary>
    private static HashSet<string> Diversions(string root)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        var lines = RootFs.ReadLines(root, "var/lib/dpkg/diversions");
        for (int i = 0; i + 1 < lines.Count; i += 3)
        {
            set.Add(lines[i]);
            set.Add(lines[i + 1]);
        }
        return set;
    }

    /// <summary>The paths of var/lib/dpkg/statoverride ("user group mode path" per line), which dpkg applies on unpack.</summary>
    private static HashSet<string> StatOverrides(string root)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in RootFs.ReadLines(root, "var/lib/dpkg/statoverride"))
        {
            var fields = line.Split(' ', 4, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 4) set.Add(fields[3].TrimEnd('/'));
        }
        return set;
    }

    /// <summary>The paths of var/lib/dpkg/triggers/File ("PATH PKG[/noawait]" per line).</summary>
    private static HashSet<string> FileTriggerInterests(string root)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in RootFs.ReadLines(root, "var/lib/dpkg/triggers/File"))
        {
            var cut = line.IndexOf(' ');
            if (cut > 0) set.Add(line[..cut].TrimEnd('/'));
        }
        return set;
    }
}
