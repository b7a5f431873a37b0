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

    /// <summary>Makes the repository (one per architecture, one signing key) and writes WORK/NAME.toml; returns the
    /// recipe's path. Several architectures: the recipe lists them (`architectures`).</summary>
    public static string Write(string work, string name, params string[] architectures)
    {
        if (architectures.Length == 0) architectures = ["x86_64"];
        foreach (var arch in architectures)
            Sh.Run("bash", Path.Combine(RepoRoot.Path, "tests/Bootstrapper.EndToEnd/Alpine/make-repo.sh"), Path.Combine(work, "repo"), arch)
                .Ok($"make-repo.sh {arch}");
        var recipe = Path.Combine(work, name + ".toml");
        var architecture = architectures.Length == 1
            ? $"architecture = \"{architectures[0]}\""
            : $"architectures = [{string.Join(", ", architectures.Select(a => $"\"{a}\""))}]";
        File.WriteAllText(recipe, $"""
            name = "{name}"
            family = "alpine"
            {architecture}
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
