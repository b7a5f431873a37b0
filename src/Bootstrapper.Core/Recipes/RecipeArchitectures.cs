using Bootstrapper.Core.Errors;

namespace Bootstrapper.Core.Recipes;

/// <summary>
/// The architectures one run builds a recipe for: its `architecture`, each of its `architectures`, or the one
/// `--architecture` names. Every image but the one a single-architecture recipe names for itself carries the
/// architecture in its name, output path and lock file (debian-bookworm-arm64, out/debian-bookworm-arm64.tar,
/// debian-bookworm.arm64.lock.json), so a recipe's amd64 image keeps the names it always had.
/// </summary>
internal static class RecipeArchitectures
{
    public static IReadOnlyList<Recipe> Expand(Recipe recipe, string? only = null)
    {
        if (only is not null)
        {
            if (only.Length == 0 || !only.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
                throw new RecipeException($"--architecture '{only}': give an architecture name such as arm64, armhf, i386 (Debian) or aarch64, armv7 (Alpine)");
            return [For(recipe, only)];
        }
        return recipe.Architectures.Count == 0 ? [recipe] : recipe.Architectures.Select(a => For(recipe, a)).ToList();
    }

    private static Recipe For(Recipe recipe, string architecture)
    {
        if (recipe.Architectures.Count == 0 && architecture == recipe.Architecture) return recipe;
        return recipe with
        {
            Name = $"{recipe.Name}-{architecture}",
            Architecture = architecture,
            Architectures = [],
            NamedForArchitecture = true,
            Output = recipe.Output with { Path = OutputPathFor(recipe.Output.Path, architecture) },
        };
    }

    /// <summary>out/x.tar.gz -> out/x-arm64.tar.gz, out/x.oci.tar -> out/x-arm64.oci.tar: the architecture goes before
    /// the extensions that choose the format.</summary>
    public static string OutputPathFor(string path, string architecture)
    {
        var name = Path.GetFileName(path);
        var oci = name.EndsWith(".oci.tar", StringComparison.Ordinal) ? name.Length - ".oci.tar".Length : -1;
        var tar = oci > 0 ? oci : name.LastIndexOf(".tar", StringComparison.Ordinal);
        var cut = tar > 0 ? tar : name.LastIndexOf('.') is > 0 and var dot ? dot : name.Length;
        return Path.Combine(Path.GetDirectoryName(path) ?? "", $"{name[..cut]}-{architecture}{name[cut..]}");
    }
}
