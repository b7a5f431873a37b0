using Bootstrapper.Core.Staging;
using Bootstrapper.Engine.Rootless;

namespace Bootstrapper.Engine.Pipeline;

/// <summary>A staging directory and where it came from (for the message that refuses it).</summary>
internal sealed record StagingParent(string Path, StagingSource Source);

/// <summary>
/// Where the staging root goes. A root is ~100-500 MB of small files written once, configured, packed and thrown
/// away: memory-backed storage is the right place for it. Measured on this project's build machines (ext4 mounted
/// with `discard`): removing a bookworm minbase root took 13.5 s on disk and dpkg's per-file fsyncs dominated
/// configuration; on tmpfs both cost almost nothing.
/// </summary>
internal static class StagingLocation
{
    public const string Variable = "BOOTSTRAP_STAGING_DIR";
    private const string SharedMemory = "/dev/shm";

    /// <summary>
    /// BOOTSTRAP_STAGING_DIR when set; else, for root, /dev/shm/bootstrap-staging and for another user
    /// $XDG_RUNTIME_DIR/bootstrap-staging (its private tmpfs) or /dev/shm/bootstrap-staging-UID, when that is a tmpfs
    /// with room for <paramref name="neededBytes"/> twice over (null: before the plan, when the size is not known
    /// yet); else the cache folder. "Another user" is the one who runs the build, also inside its user namespace.
    /// </summary>
    public static StagingParent ParentFor(BuildOptions options, long? neededBytes)
    {
        if (options.Environment.TryGetValue(Variable, out var configured) && configured.Length > 0)
            // No trailing slash: lstat of "dir/" would follow a symlink at dir.
            return new(Path.TrimEndingDirectorySeparator(Path.GetFullPath(configured)), StagingSource.Variable);
        try
        {
            var (memory, name) = MemoryDefault(options);
            var shm = new DriveInfo(memory);
            if (shm.IsReady && shm.DriveFormat == "tmpfs" &&
                (neededBytes is not { } needed || shm.AvailableFreeSpace > 2 * needed + (256L << 20)))
                return new(Path.Combine(memory, name), StagingSource.SharedMemoryDefault);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // No usable /dev/shm: fall through to the cache.
        }
        return new(Path.Combine(options.CacheDirectory, "staging"), StagingSource.CacheDefault);
    }

    private static (string Directory, string Name) MemoryDefault(BuildOptions options)
    {
        var uid = UserNamespace.RealUid;
        if (uid == 0) return (SharedMemory, "bootstrap-staging");
        if (options.Environment.TryGetValue("XDG_RUNTIME_DIR", out var runtime) && Path.IsPathFullyQualified(runtime) &&
            Directory.Exists(runtime))
            return (Path.TrimEndingDirectorySeparator(runtime), "bootstrap-staging");
        return (SharedMemory, $"bootstrap-staging-{uid}");
    }
}
