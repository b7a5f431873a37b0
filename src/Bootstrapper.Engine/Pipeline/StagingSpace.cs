using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Images.Diff;
using Bootstrapper.Core.Planning;

namespace Bootstrapper.Engine.Pipeline;

/// <summary>
/// Refuses a build whose staging file system has no room for it, before anything is downloaded: a root that fills
/// its file system half way through fails late and, on /dev/shm, takes the host's memory with it meanwhile.
/// </summary>
internal static class StagingSpace
{
    /// <param name="parent">Where the staging root will go (it may not exist yet: its nearest existing parent is asked).</param>
    /// <param name="installedBytes">The plan's packages unpacked (<see cref="PackageSizes.InstalledBytes"/>).</param>
    public static void Check(string parent, long installedBytes)
    {
        var neededBytes = PackageSizes.StagingBytes(installedBytes);
        var existing = parent;
        while (!Directory.Exists(existing)) existing = Path.GetDirectoryName(existing) ?? "/";
        long free;
        try
        {
            free = new DriveInfo(existing).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return; // cannot tell: each package's unpack limit still applies
        }
        if (free >= neededBytes) return;
        throw new InstallException(
            $"The staging directory {parent} has {ImageDiffText.Size(free)} free; this build needs {ImageDiffText.Size(neededBytes)} " +
            $"there (twice the packages' Installed-Size of {ImageDiffText.Size(installedBytes)}, and {ImageDiffText.Size(PackageSizes.Slack)}). Free some space, or set " +
            $"{StagingLocation.Variable} to a directory on a file system with room.");
    }
}
