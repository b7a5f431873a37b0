using Bootstrapper.Core.Recipes;
using Bootstrapper.Engine.Net.Bundles;

namespace Bootstrapper.Engine.Net.Mirrors;

/// <summary>What an image's package sources name when a build reads from a bundle, for every family.</summary>
internal static class BundleOrigin
{
    /// <summary>
    /// A file:// bundle written by `bootstrap fetch --bundle` records where each suite came from: unless the recipe
    /// names a mirror, the image's package sources name that one, never the bundle's path.
    /// </summary>
    public static MirrorChoice ForImage(MirrorChoice choice, RecipeSource source) =>
        string.IsNullOrEmpty(source.Mirror) && BundleMetadata.LocalPath(choice.FetchUrl) is { } local
        && BundleMetadata.TryRead(local)?.OriginalMirrors.GetValueOrDefault(source.Suite) is { } original
            ? choice with { ImageUrl = original.TrimEnd('/') }
            : choice;

    /// <summary>True when the image would name a path on the build machine (a local mirror that is no bundle).</summary>
    public static bool ImageNamesLocalPath(MirrorChoice choice) => BundleMetadata.LocalPath(choice.ImageUrl) is not null;
}
