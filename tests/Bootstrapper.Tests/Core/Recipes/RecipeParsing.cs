using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Recipes;

namespace Bootstrapper.Tests.Core.Recipes;

/// <summary>Parses recipe text as /r/recipe.toml (working directory /work), and the message of a refused one.</summary>
internal static class RecipeParsing
{
    public static Recipe Parse(string text) => RecipeLoader.Parse(text, "/r/recipe.toml", "/work");

    /// <summary>The error a recipe is refused with; it must be a usage/recipe error (exit 2).</summary>
    public static string Error(string text)
    {
        var e = Assert.Throws<RecipeException>(() => Parse(text));
        Assert.Equal(ExitCodes.UsageOrRecipe, e.ExitCode);
        return e.Message;
    }
}
