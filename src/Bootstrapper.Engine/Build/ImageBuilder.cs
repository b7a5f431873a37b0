using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Planning;
using Bootstrapper.Core.Recipes;

namespace Bootstrapper.Engine.Build;

/// <summary>The pipeline: plan, fetch, install, pack, manifest. Being wired as the family modules land.</summary>
public static class ImageBuilder
{
    public static Task<Plan> PlanAsync(Recipe recipe, BuildOptions options, IBuildReporter reporter, CancellationToken ct) =>
        throw new BootstrapException(ExitCodes.InternalError, "planning is not wired yet");

    public static Task<BuildResult> BuildAsync(Recipe recipe, BuildOptions options, IBuildReporter reporter, CancellationToken ct) =>
        throw new BootstrapException(ExitCodes.InternalError, "building is not wired yet");
}

/// <summary>What a build produced.</summary>
public sealed record BuildResult(string ImagePath, long ImageSize, string ImageSha256, string ManifestPath, int PackageCount);
