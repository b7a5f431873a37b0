using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Recipes;
using Bootstrapper.Engine.Families.Alpine;
using Bootstrapper.Engine.Families.Debian;
using Bootstrapper.Engine.Pipeline;

namespace Bootstrapper.Engine.Families;

/// <summary>The one place that knows which module serves which distribution family.</summary>
internal static class FamilyRegistry
{
    public static IDistroFamily Create(DistroFamily family) => family switch
    {
        DistroFamily.Debian => new DebianFamily(),
        DistroFamily.Alpine => new AlpineFamily(),
        _ => throw new RecipeException($"family '{family.ToString().ToLowerInvariant()}' is not supported by this build"),
    };
}
