using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Families.Debian.Deb;
using Bootstrapper.Engine.Os.Files;

namespace Bootstrapper.Engine.Families.Debian.Install;

/// <summary>The .debs as dpkg reads them inside the root, and the decoded copies kept for later builds.</summary>
internal static partial class Installer
{
    /// <summary>Package name -> path of its .deb inside the root (ROOT/var/cache/bootstrap-debs/...).</summary>
    private static Dictionary<string, string> DebPathsInRoot(IReadOnlyList<InstallPackage> packages)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in packages)
            // Same naming as apt's archive cache (the epoch colon escaped), so dpkg's log lines look familiar.
            map[p.Name] = "/" + DebsDirectory + "/" +
                          $"{p.Name}_{p.Version.Replace(":", "%3a", StringComparison.Ordinal)}_{p.Architecture}.deb";
        return map;
    }

    /// <summary>
    /// Puts each .deb into the root with its data member already decompressed (see <see cref="DebRepack"/>: dpkg then
    /// skips xz on its single-core path), largest first, on <paramref name="threads"/> cores.
    /// </summary>
    internal static void RepackDebs(IReadOnlyList<InstallPackage> packages, PinnedDirectory debs,
        IReadOnlyDictionary<string, string> inRoot, CancellationToken ct, int threads) =>
        Parallel.ForEach(packages.OrderByDescending(p => p.FileSize),
            new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = ct },
            p => DebRepack.WithUncompressedData(p.DebPath, debs.HostPath(Path.GetFileName(inRoot[p.Name])),
                $"package '{p.Name}' {p.Version}", p.Sha256));

    /// <summary>
    /// The .debs directory is the bootstrapper's own: a package that ships it (or a symlink there) could otherwise
    /// have the copies written wherever it points.
    /// </summary>
    private static InstallException DebsDirectoryTaken(EssentialStage essential)
    {
        var path = "/" + DebsDirectory;
        var shipper = essential.Shipper(path);
        return new InstallException(
            $"{shipper ?? "An essential package"} ships {path}, the directory where the bootstrapper puts the .debs for " +
            "dpkg; refusing to write the .debs through what the package put there. Remove that package from the recipe.");
    }
}
