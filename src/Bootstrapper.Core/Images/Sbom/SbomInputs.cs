using System.Globalization;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Images.Manifest;

namespace Bootstrapper.Core.Images.Sbom;

/// <summary>What the SPDX and CycloneDX writers share: the checks, the order, and the time (the JSON style is <see cref="JsonOutput.Readable"/>).</summary>
internal static class SbomInputs
{
    /// <summary>
    /// The family and the purl vendor must make a valid purl (both SBOM formats need one per package).
    /// </summary>
    /// <exception cref="RecipeException">Unknown family, or a distribution name that cannot be a purl namespace.</exception>
    public static void Check(ImageManifest manifest, string distribution)
    {
        if (manifest.Family is not ("debian" or "alpine"))
            throw new RecipeException(
                $"manifest of '{manifest.Recipe}': family '{manifest.Family}' has no package URL type; expected " +
                "\"debian\" or \"alpine\"");
        if (distribution.Length == 0 || !distribution.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-'))
            throw new RecipeException(
                $"SBOM for '{manifest.Recipe}': distribution '{distribution}' must be a lower-case name such as " +
                "\"debian\", \"ubuntu\" or \"alpine\"");
    }

    /// <summary>Packages by name, architecture, version (ordinal): the same manifest, the same document.</summary>
    public static IEnumerable<ManifestPackage> Ordered(ImageManifest manifest) => manifest.Packages
        .OrderBy(p => p.Name, StringComparer.Ordinal)
        .ThenBy(p => p.Architecture, StringComparer.Ordinal)
        .ThenBy(p => p.Version, StringComparer.Ordinal);

    /// <summary>The creation time, "2023-11-14T22:13:20Z": SOURCE_DATE_EPOCH when the build had one, else <paramref name="now"/>.</summary>
    public static string Created(ImageManifest manifest, DateTimeOffset now) =>
        (manifest.SourceDateEpoch is { } epoch ? DateTimeOffset.FromUnixTimeSeconds(epoch) : now)
        .UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
