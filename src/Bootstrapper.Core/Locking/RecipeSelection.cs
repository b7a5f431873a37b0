using System.Security.Cryptography;
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
        // The bytes are what the hashes in existing lock files were made from: compact, the default encoder,
        // null written as null. Changing them would make every lock file stale.
        var canonical = JsonOutput.Bytes(default, w =>
        {
            w.WriteStartObject();
            w.WriteString("architecture", recipe.Architecture);
            w.WriteStartArray("sources");
            foreach (var s in recipe.Sources)
            {
                w.WriteStartObject();
                w.WriteString("suite", s.Suite);
                Strings(w, "components", s.Components);
                w.WriteString("archive", s.Archive);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteString("variant", recipe.Packages.Variant);
            Strings(w, "include", recipe.Packages.Include.Order(StringComparer.Ordinal));
            Strings(w, "exclude", recipe.Packages.Exclude.Order(StringComparer.Ordinal));
            w.WriteEndObject();
        });
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(canonical));
    }

    private static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
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
