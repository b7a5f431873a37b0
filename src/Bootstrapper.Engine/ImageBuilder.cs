using Bootstrapper.Core.Planning;
using Bootstrapper.Core.Recipes;
using Bootstrapper.Engine.Families;
using Bootstrapper.Engine.Pipeline;

namespace Bootstrapper.Engine;

/// <summary>
/// What the commands call: names the recipe's family (<see cref="FamilyRegistry"/>) and runs the shared pipeline
/// (<see cref="BuildPipeline"/>) with it. The pipeline itself never names a family, and no family names the pipeline's
/// entry points, so the two stay free of each other.
/// </summary>
internal static class ImageBuilder
{
    /// <summary>`bootstrap plan` and `lock`: verified indices and the resolved package set.</summary>
    public static Task<Plan> PlanAsync(Recipe recipe, BuildOptions options, IBuildReporter reporter, CancellationToken ct) =>
        BuildPipeline.PlanAsync(FamilyRegistry.Create(recipe.Family), recipe, options, reporter, ct);

    /// <summary>`bootstrap fetch`: the plan's files into the cache, and a bundle when asked.</summary>
    public static Task<FetchResult> FetchAsync(Recipe recipe, BuildOptions options, string? bundleDirectory,
        IBuildReporter reporter, CancellationToken ct) =>
        BuildPipeline.FetchAsync(FamilyRegistry.Create(recipe.Family), recipe, options, bundleDirectory, reporter, ct);

    /// <summary>`bootstrap build`: the image, its manifest and SBOMs.</summary>
    public static Task<BuildResult> BuildAsync(Recipe recipe, BuildOptions options, IBuildReporter reporter, CancellationToken ct) =>
        BuildPipeline.BuildAsync(FamilyRegistry.Create(recipe.Family), recipe, options, reporter, ct);
}
