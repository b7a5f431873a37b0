using Bootstrapper.Core.Planning;

namespace Bootstrapper.Engine.Pipeline;

/// <summary>
/// What differs between distribution families. The pipeline (<see cref="ImageBuilder"/>) owns the order of
/// phases, the cache, packing and the manifest; a family owns its index format, resolver and installer.
/// </summary>
internal interface IDistroFamily
{
    /// <summary>Fetch and verify the indices, and resolve the recipe's package set.</summary>
    Task<Plan> PlanAsync(BuildSession session, CancellationToken ct);

    /// <summary>
    /// Install the fetched packages into <paramref name="root"/> (an empty folder) and configure them, then remove
    /// build-time traces (logs, caches, host data). <paramref name="files"/> maps each planned package to its
    /// verified file in the cache.
    /// </summary>
    Task InstallAsync(BuildSession session, Plan plan, IReadOnlyDictionary<PlannedPackage, string> files, string root,
        CancellationToken ct);
}
