using Bootstrapper.Engine.Bundles;

namespace Bootstrapper.Engine.Build;

/// <summary>A family whose verified indices can be copied into a bundle (`bootstrap fetch --bundle`).</summary>
public interface IBundleSource
{
    /// <summary>The suites verified by the last <see cref="IDistroFamily.PlanAsync"/>, with their cached files.</summary>
    IReadOnlyList<BundleSuite> BundleSuites(BuildSession session);
}
