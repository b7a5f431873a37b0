namespace Bootstrapper.Engine.Pipeline;

/// <summary>
/// Temporary download files (".NAME.PID.GUID.part") that a killed build (SIGKILL, power loss) could not delete.
/// Removed at the start of the next download into the same cache once they are older than <see cref="MaxAge"/>:
/// a live download writes its file continuously and times out after 30 s without data, so an hour-old one is
/// nobody's. (Their names carry a PID, but builds in other containers may share a cache: age is what can be trusted.)
/// </summary>
internal static class StalePartFiles
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(1);

    /// <returns>How many were removed.</returns>
    public static int Sweep(string packageCache, DateTime nowUtc)
    {
        if (!Directory.Exists(packageCache)) return 0;
        int removed = 0;
        foreach (var file in Directory.EnumerateFiles(packageCache, ".*.part", SearchOption.AllDirectories))
        {
            try
            {
                if (nowUtc - File.GetLastWriteTimeUtc(file) < MaxAge) continue;
                File.Delete(file);
                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another build removed it, or it is not ours to remove: either way not worth failing a build.
            }
        }
        return removed;
    }
}
