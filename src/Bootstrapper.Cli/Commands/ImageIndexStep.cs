using Bootstrapper.Core.Oci;
using Bootstrapper.Core.Recipes;
using Bootstrapper.Engine.Oci;
using Bootstrapper.Engine.Output;
using Bootstrapper.Engine.Pipeline;

namespace Bootstrapper.Cli.Commands;

/// <summary>
/// After a run built a recipe for several architectures with an OCI output: the recipe's own output path gets the
/// image index of those images (each one stays in its NAME-ARCH.oci.tar / .oci as well).
/// </summary>
internal static class ImageIndexStep
{
    public static void WriteIndexes(IEnumerable<(string Path, Recipe Recipe)> recipes,
        IReadOnlyList<(string RecipePath, BuildResult Result)> built, long? epoch, TextWriter stdout)
    {
        foreach (var (path, recipe) in recipes)
        {
            var format = ImageOutputFormat.Choose(recipe.Output.Path, recipe.Output.Compression);
            // In the recipe's order, so the index lists the platforms as the recipe does.
            var images = recipe.Architectures
                .Select(a => built.FirstOrDefault(b => b.RecipePath == path && b.Result.Architecture == a).Result)
                .Where(r => r is not null).ToList();
            if (!format.IsOci || recipe.Architectures.Count < 2 || images.Count != recipe.Architectures.Count) continue;
            var family = recipe.Family.ToString().ToLowerInvariant();
            var digest = OciMultiArchOutput.Write(recipe.Output.Path, format, recipe.Name,
                images.Select(r => (OciPlatform.FromDistroArchitecture(family, r.Architecture), r.ImagePath)).ToList(), epoch);
            stdout.WriteLine($"{recipe.Output.Path} (image index of {string.Join(", ", images.Select(r => r.Architecture))}, {digest})");
        }
    }
}
