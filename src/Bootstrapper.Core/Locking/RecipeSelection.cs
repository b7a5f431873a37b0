using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bootstrapper.Core.Recipes;

namespace Bootstrapper.Core.Locking;

/// <summary>
/// A hash of what a recipe asks for (sources, architecture, variant, include, exclude), recorded in its lock: a lock
/// made before `curl` was added to include must not quietly build the old set. Mirrors, keyrings and output settings
/// are left out: they change where files come from or where the image goes, not which packages are chosen.
/// </summary>
internal static class RecipeSelection
{
    /// <summary>"sha256:" and the hex SHA-256 of a canonical JSON form of the selection.</summary>
    public static string Hash(Recipe recipe)
    {
        var canonical = JsonSerializer.Serialize(new
        {
            architecture = recipe.Architecture,
            sources = recipe.Sources.Select(s => new { suite = s.Suite, components = s.Components, archive = s.Archive }),
            variant = recipe.Packages.Variant,
            include = recipe.Packages.Include.Order(StringComparer.Ordinal),
            exclude = recipe.Packages.Exclude.Order(StringComparer.Ordinal),
        });
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>
    /// Null when <paramref name="lockFile"/> was made for this selection (or predates selection hashes); else the
    /// message for a --locked build, naming both files and the command that brings the lock up to date.
    /// </summary>
    public static string? Mismatch(LockFile lockFile, string lockPath, Recipe recipe, string recipeArgument) =>
        lockFile.Selection is null || lockFile.Selection == Hash(recipe)
            ? null
            : $"{lockPath} is stale: {recipeArgument}'s package selection (sources, architecture, variant, include or exclude) " +
              $"changed since the lock was written, and --locked would build the old set. Run `bootstrap lock {recipeArgument}` " +
              "to update the lock (review its diff), then build again";
}
