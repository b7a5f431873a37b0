using Bootstrapper.Core.Recipes;
using Bootstrapper.Engine.Debian;

namespace Bootstrapper.Engine.Build;

/// <summary>The one place that knows which module serves which distribution family.</summary>
public static class Families
{
    public static IDistroFamily Create(DistroFamily family) => family switch
    {
        DistroFamily.Debian => new DebianFamily(),
        DistroFamily.Alpine => new Alpine.AlpineFamily(),
        _ => throw new Core.Errors.RecipeException($"family '{family.ToString().ToLowerInvariant()}' is not supported by this build"),
    };
}
