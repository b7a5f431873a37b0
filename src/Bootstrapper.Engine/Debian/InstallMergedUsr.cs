using Bootstrapper.Core.Errors;

namespace Bootstrapper.Engine.Debian;

/// <summary>
/// Creates /bin, /sbin, /lib (and the architecture's multilib directories) as relative links into /usr before any
/// package is extracted (debootstrap's setup_merged_usr). The extractor must then keep these directory links,
/// so /bin/sh from dash lands in /usr/bin/sh.
/// </summary>
public static class InstallMergedUsr
{
    public static void Create(string root, string architecture)
    {
        foreach (var dir in InstallSuiteTraits.MergedUsrDirectories(architecture))
        {
            var link = Path.Combine(root, dir);
            var target = "usr/" + dir;
            Directory.CreateDirectory(Path.Combine(root, target));
            var info = new FileInfo(link);
            if (info.LinkTarget == target) continue;
            if (info.Exists || Directory.Exists(link) || info.LinkTarget is not null)
                throw new InstallException($"{link} already exists and is not a link to {target}; merged /usr needs an empty root.");
            File.CreateSymbolicLink(link, target);
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
            var link = Path.Combine(root, dir);
            var target = Path.Combine(root, "usr", dir);
            if (new FileInfo(link).LinkTarget != "usr/" + dir) continue;
            if (!Directory.Exists(target) || Directory.EnumerateFileSystemEntries(target).Any()) continue;
            File.Delete(link);
            Directory.Delete(target);
            removed.Add("/" + dir);
        }
        return removed;
    }
}
