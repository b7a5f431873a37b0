using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Os.Files;

namespace Bootstrapper.Engine.Families.Debian.Install;

/// <summary>
/// Creates /bin, /sbin, /lib (and the architecture's multilib directories) as relative links into /usr before any
/// package is extracted (debootstrap's setup_merged_usr). The extractor must then keep these directory links,
/// so /bin/sh from dash lands in /usr/bin/sh.
/// </summary>
internal static class InstallMergedUsr
{
    public static void Create(string root, string architecture)
    {
        foreach (var dir in InstallSuiteTraits.MergedUsrDirectories(architecture))
        {
            var target = "usr/" + dir;
            RootFs.DirectoryInRoot(root, target);
            if (RootFs.LinkTarget(root, dir) == target) continue;
            if (RootFs.Exists(root, dir))
                throw new InstallException($"/{dir} already exists and is not a link to {target}; merged /usr needs an empty root.");
            RootFs.CreateSymlink(root, dir, target);
        }
    }

    /// <summary>
    /// Removes the multilib links (lib32, libx32, ...) whose /usr directory stayed empty after installation.
    /// debootstrap 1.0.128 extracts first and then links only the top-level directories that packages shipped, so
    /// its amd64 roots (and the official images) have bin, lib, lib64 and sbin links but no lib32 or libx32.
    /// Creating every link up front and pruning the unused ones afterwards gives the same tree, while any package
    /// of the set that does ship /lib32 still lands in /usr/lib32.
    /// </summary>
    /// <returns>The links removed.</returns>
    public static IReadOnlyList<string> PruneUnused(string root, string architecture)
    {
        var removed = new List<string>();
        foreach (var dir in InstallSuiteTraits.MergedUsrDirectories(architecture).Skip(3))   // after bin, sbin, lib
        {
            if (RootFs.LinkTarget(root, dir) != "usr/" + dir) continue;
            if (!RootFs.TryLstat(root, "usr/" + dir, out var s) || !s.IsDirectory || RootFs.List(root, "usr/" + dir).Count > 0) continue;
            RootFs.Delete(root, dir);
            RootFs.Delete(root, "usr/" + dir);
            removed.Add("/" + dir);
        }
        return removed;
    }
}
