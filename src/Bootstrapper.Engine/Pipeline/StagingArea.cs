using Bootstrapper.Core.Staging;
using Bootstrapper.Engine.Os.Native;
using Bootstrapper.Engine.Rootless;

namespace Bootstrapper.Engine.Pipeline;

/// <summary>
/// The staging directory, checked with <see cref="StagingDirectoryRule"/> (lstat: no symlink is followed unseen), and
/// the build's own directory in it. That one is made like mkdtemp(3): a random name, mode 0700, and mkdir fails
/// rather than reuse anything already there (a symlink included). Nobody but its owner can then enter it, and in a
/// directory that only the build user can write to, or a sticky one, nobody else can rename it: the root inside
/// stays the root the build made, under the same path, until the build removes it.
/// </summary>
internal static class StagingArea
{
    public const string RootName = "root";

    /// <summary>
    /// Before any download: refuses (exit 2) a staging directory, or a directory above it, that exists and is
    /// unsafe. What does not exist yet is created, and checked, by <see cref="CreateBuildDirectory"/>.
    /// </summary>
    public static void Check(StagingParent parent) => Walk(parent, create: false);

    /// <summary>
    /// Checks the staging directory again, creating what is missing (parents 0755, the staging directory 0700), then
    /// makes the build's private directory in it with a root (0755, as the image's "./" entry must be) inside.
    /// Returns the private directory; the root is <see cref="RootName"/> in it.
    /// </summary>
    public static string CreateBuildDirectory(StagingParent parent, string namePrefix)
    {
        Walk(parent, create: true);
        var directory = Path.Combine(parent.Path, $"{namePrefix}-{Guid.NewGuid():N}");
        if (!LibC.TryMkdir(directory, 0b111_000_000))
            throw new IOException($"'{directory}' already exists: something else is creating directories in the staging area");
        var root = Path.Combine(directory, RootName);
        LibC.TryMkdir(root, 0b111_101_101);
        LibC.ChmodNoFollow(root, 0b111_101_101); // the umask may have taken bits away
        return directory;
    }

    private static void Walk(StagingParent parent, bool create)
    {
        uint user = LibC.Geteuid();
        if (Path.GetDirectoryName(parent.Path) is { } above) CheckChain(parent, above, user, create, depth: 0);
        if (!LibC.TryLstat(parent.Path, out var status))
        {
            if (!create) return;
            // mkdir does not follow a symlink planted meanwhile (EEXIST): whatever is there now is judged below.
            LibC.TryMkdir(parent.Path, 0b111_000_000);
            status = LibC.Lstat(parent.Path);
        }
        if (StagingDirectoryRule.Refusal(parent.Path, parent.Source, Facts(parent.Path, status), isAncestor: false, user) is { } refusal)
            throw refusal;
    }

    /// <summary>
    /// Checks <paramref name="directory"/> and each directory above it, from "/" down. A symlink on the way is
    /// checked, then so is the chain of where it points (the kernel follows it; whoever controls that chain controls
    /// the path too).
    /// </summary>
    private static void CheckChain(StagingParent parent, string directory, uint user, bool create, int depth)
    {
        if (depth > 40) throw LibC.Error("lstat", directory, 40 /* ELOOP */);
        var path = Path.GetPathRoot(directory)!;
        foreach (var part in directory[path.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries).Prepend(""))
        {
            path = Path.Combine(path, part);
            if (!LibC.TryLstat(path, out var status))
            {
                if (!create) return; // nothing below exists either: created and checked later
                LibC.TryMkdir(path, 0b111_101_101);
                status = LibC.Lstat(path);
            }
            if (StagingDirectoryRule.Refusal(parent.Path, parent.Source, Facts(path, status), isAncestor: true, user) is { } refusal)
                throw refusal;
            if (status.IsSymlink)
                CheckChain(parent, Path.GetFullPath(new FileInfo(path).LinkTarget!, Path.GetDirectoryName(path)!), user,
                    create: false, depth + 1);
        }
    }

    private static PathFacts Facts(string path, FileStatus s) =>
        new(path, s.IsDirectory ? PathKind.Directory : s.IsSymlink ? PathKind.Symlink : PathKind.Other, OwnerOf(s), s.Permissions);

    /// <summary>
    /// Inside the build's user namespace the host's root (who owns /, /dev/shm...) shows as the overflow id, like
    /// every other unmapped owner. The launcher checked the same chain as the invoking user before entering
    /// (<c>RootlessLauncher</c>), so here an unmapped owner counts as root: the only owners this process can tell
    /// apart are its own ids.
    /// </summary>
    private static uint OwnerOf(FileStatus s) =>
        s.Uid == UserNamespace.OverflowUid && UserNamespace.IsInside ? 0 : s.Uid;
}
