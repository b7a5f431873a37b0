using Bootstrapper.Core.Images.Manifest;

namespace Bootstrapper.Engine.Pipeline;

/// <summary>A family that applies recipe customization reports, after the install, what it added and ran.</summary>
internal interface ICustomizationRecord
{
    IReadOnlyList<ManifestFile> AddedFiles { get; }
    IReadOnlyList<ManifestRunStep> RunSteps { get; }
}
