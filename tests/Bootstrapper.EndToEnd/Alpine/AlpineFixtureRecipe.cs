using Bootstrapper.EndToEnd.Build;

namespace Bootstrapper.EndToEnd.Alpine;

/// <summary>
/// The Alpine fixture as a user meets it: a repository made by make-repo.sh (GNU tar, gzip, openssl: not our code)
/// in WORK/repo, and a recipe in WORK that installs alpine-base from it (its keyring beside it, a mirror that
/// names no real host: builds pass the repository with --mirror).
/// </summary>
internal static class AlpineFixtureRecipe
{
    public const string RecipeMirror = "https://alpine-mirror.invalid/alpine";

    /// <summary>Makes the repository and writes WORK/NAME.toml; returns the recipe's path.</summary>
    public static string Write(string work, string name)
    {
        Sh.Run("bash", Path.Combine(RepoRoot.Path, "tests/Bootstrapper.EndToEnd/Alpine/make-repo.sh"), Path.Combine(work, "repo"))
            .Ok("make-repo.sh");
        var recipe = Path.Combine(work, name + ".toml");
        File.WriteAllText(recipe, $"""
            name = "{name}"
            family = "alpine"
            architecture = "x86_64"
            keyrings = ["repo/keys"]

            [[sources]]
            suite = "v3.23"
            components = ["main"]
            mirror = "{RecipeMirror}"

            [packages]
            include = ["alpine-base"]

            [output]
            path = "out/{name}.tar"
            """);
        return recipe;
    }
}
