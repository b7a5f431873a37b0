using Bootstrapper.Engine.Archives;
using Bootstrapper.Engine.Os.Native;

namespace Bootstrapper.Engine.Families.Debian.Install;

/// <summary>
/// Makes a concurrent stage-1 extraction leave the same directories as a one-by-one extraction in install order.
/// </summary>
/// <remarks>
/// Extracting package after package, a directory gets the owner and mode of the first package that creates it and,
/// when that package's extraction ends, its mtime; a later package that creates or replaces anything directly in
/// it moves the mtime to "now" (clamped to SOURCE_DATE_EPOCH in the image). dpkg leaves existing directories alone
/// in stage 2, so these survive into the image. With packages extracted concurrently, which package creates a
/// directory, and whether its mtime is restored before or after another package writes into it, is a race; this
/// recomputes the one-by-one outcome from what each package reported and applies it.
/// Files need no such care: dpkg unpacks every essential package again, in order, in stage 2.
/// </remarks>
internal static class StageOneDirectories
{
    /// <summary>What a directory must end up with; <paramref name="Member"/> null keeps what mkdir gave it.</summary>
    public sealed record Outcome(string PhysicalPath, DirectoryMetadata? Member, bool Touched);

    /// <summary>
    /// Computes each new directory's outcome. <paramref name="inOrder"/> are the packages' reports in install
    /// order; <paramref name="preexisting"/> the directories that existed before stage 1 (never restored).
    /// Returns null when one path is a directory for one package and a non-directory for another: then the
    /// structure itself depends on the order, and the caller must extract one by one.
    /// </summary>
    public static IReadOnlyList<Outcome>? Compute(IReadOnlyList<ExtractedPackage> inOrder, IReadOnlySet<string> preexisting)
    {
        var creator = new Dictionary<string, (int Index, DirectoryMetadata? Member)>(StringComparer.Ordinal);
        for (int i = 0; i < inOrder.Count; i++)
            foreach (var use in inOrder[i].Directories)
                if (!preexisting.Contains(use.PhysicalPath))
                    creator.TryAdd(use.PhysicalPath, (i, use.Member));

        // The tree's very shape depends on the order when a path is a directory for one archive and a file or
        // symlink for another: a symlink member skipped or a directory member following a symlink (dpkg's rules)
        // would have gone the other way had the other package come first.
        var nonDirectories = inOrder.SelectMany(p => p.NonDirectories).ToHashSet(StringComparer.Ordinal);
        if (nonDirectories.Any(creator.ContainsKey) ||
            inOrder.Any(p => p.FollowedSymlinks.Any(nonDirectories.Contains) || p.SkippedSymlinks.Any(creator.ContainsKey)))
            return null;

        var touched = new HashSet<string>(StringComparer.Ordinal);
        void Touch(string path, int by)
        {
            var parent = Parent(path);
            if (creator.TryGetValue(parent, out var c) && c.Index < by) touched.Add(parent);
        }
        for (int j = 0; j < inOrder.Count; j++)
        {
            foreach (var path in inOrder[j].NonDirectories)
            {
                Touch(path, j);
            }
            foreach (var use in inOrder[j].Directories)
                if (creator.TryGetValue(use.PhysicalPath, out var c) && c.Index == j)
                    Touch(use.PhysicalPath, j); // created by this package, so its parent changed
        }
        return creator.Select(kv => new Outcome(kv.Key, kv.Value.Member, touched.Contains(kv.Key))).ToList();
    }

    /// <summary>Applies the outcomes: owner, then mode (chown clears setgid), then mtime.</summary>
    public static void Apply(IEnumerable<Outcome> outcomes, bool applyOwners, long now)
    {
        foreach (var o in outcomes)
        {
            if (o.Member is { } m)
            {
                if (applyOwners) LibC.Lchown(o.PhysicalPath, (uint)m.Uid, (uint)m.Gid);
                LibC.ChmodNoFollow(o.PhysicalPath, (uint)m.Mode);
                LibC.SetTimesNoFollow(o.PhysicalPath, o.Touched ? now : m.MTime);
            }
            else if (o.Touched)
            {
                LibC.SetTimesNoFollow(o.PhysicalPath, now);
            }
        }
    }

    /// <summary>Every directory below <paramref name="root"/> (symlinks not followed), as physical paths.</summary>
    public static HashSet<string> Snapshot(string root)
    {
        var set = new HashSet<string>(StringComparer.Ordinal) { root };
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint };
        foreach (var d in Directory.EnumerateDirectories(root, "*", options)) set.Add(d);
        return set;
    }

    private static string Parent(string path) => path[..path.LastIndexOf('/')];
}
