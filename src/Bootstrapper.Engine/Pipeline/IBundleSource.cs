using Bootstrapper.Core.Planning;
using Bootstrapper.Engine.Net.Bundles;

namespace Bootstrapper.Engine.Pipeline;

/// <summary>A family whose verified indices can be copied into a bundle (`bootstrap fetch --bundle`).</summary>
internal interface IBundleSource
{
    /// <summary>The suites verified by the last <see cref="IDistroFamily.PlanAsync"/>, with their cached files.</summary>
    IReadOnlyList<BundleSuite> BundleSuites(BuildSession session);

    /// <summary>Where a planned package goes in the bundle (Debian: its pool path, which is already relative to the
    /// mirror root; Alpine: BRANCH/REPO/ARCH/FILE).</summary>
    string BundlePath(PlannedPackage package) => package.Filename;
}
