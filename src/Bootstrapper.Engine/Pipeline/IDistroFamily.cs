namespace Bootstrapper.Engine.Pipeline;

/// <summary>
/// What differs between distribution families. The pipeline (<see cref="BuildPipeline"/>) owns the order of phases,
/// the cache, packing and the manifest; a family owns its index format, resolver and installer. A family object
/// keeps nothing between phases: what its later steps need from the planning travels in the
/// <see cref="FamilyPlan"/> it returns, so one family object may serve any number of builds.
/// </summary>
internal interface IDistroFamily
{
    /// <summary>Fetch and verify the indices, and resolve the recipe's package set.</summary>
    Task<FamilyPlan> PlanAsync(BuildSession session, CancellationToken ct);
}
