using Bootstrapper.Core.Oci;
using Bootstrapper.Core.Recipes;

namespace Bootstrapper.Engine.Oci;

/// <summary>Everything an image's config and manifest say besides the layer.</summary>
/// <param name="Title">org.opencontainers.image.title: the recipe's name.</param>
/// <param name="Created">SOURCE_DATE_EPOCH, so that the same inputs give the same manifest digest.</param>
/// <param name="CreatedBy">The config history's created_by.</param>
internal sealed record OciImageSpec(string Title, ImageSettings Image, OciPlatform Platform, DateTimeOffset Created, string CreatedBy)
{
    public static OciImageSpec From(string recipeName, string family, string architecture, ImageSettings? image,
        long? sourceDateEpoch, DateTimeOffset now) =>
        new(recipeName, image ?? new ImageSettings(), OciPlatform.FromDistroArchitecture(family, architecture),
            sourceDateEpoch is { } epoch ? DateTimeOffset.FromUnixTimeSeconds(epoch) : now,
            $"bootstrap {recipeName}");
}

/// <summary>An image written into a layout: its manifest's descriptor and the layer's uncompressed digest.</summary>
internal sealed record OciImage(string Layout, OciDescriptor Manifest, string DiffId, int Entries);
