using System.Diagnostics;
using Bootstrapper.Core.Recipes;
using Bootstrapper.Engine.Families.Alpine;

namespace Bootstrapper.Tests.Engine.Families.Alpine;

public class AlpineRecipeTests
{
    private static string Recipes => Path.Combine(RepoRoot.Path, "recipes");

    [Fact]
    public void Alpine_recipe_loads_with_its_keys()
    {
        var recipe = RecipeLoader.Load(Path.Combine(Recipes, "alpine-3.23.toml"));
        Assert.Equal(DistroFamily.Alpine, recipe.Family);
        Assert.Equal("x86_64", recipe.Architecture);
        Assert.Equal(["alpine-base"], recipe.Packages.Include);
        var keyring = ApkKeyringFiles.Load(recipe.Keyrings);
        Assert.Equal(16, keyring.Names.Count);
        Assert.Contains("alpine-devel@lists.alpinelinux.org-6165ee59.rsa.pub", keyring.Names);
    }

    /// <summary>The committed keys are exactly those embedded in Debian's alpine-chroot-install script.</summary>
    [Fact]
    public void Committed_keys_match_alpine_chroot_install()
    {
        const string script = "/usr/sbin/alpine-chroot-install";
        Assert.True(File.Exists(script), "install Debian's alpine-chroot-install package");
        var dir = Directory.CreateTempSubdirectory("apk-keys-").FullName;
        try
        {
            // Run the script's own dump_alpine_keys function (ALPINE_KEYS + the function body) into dir.
            var text = File.ReadAllText(script);
            int start = text.IndexOf("ALPINE_KEYS='", StringComparison.Ordinal);
            int end = text.IndexOf("'\n", start + 13, StringComparison.Ordinal);
            int fn = text.IndexOf("dump_alpine_keys() {", StringComparison.Ordinal);
            int fnEnd = text.IndexOf("\n}\n", fn, StringComparison.Ordinal);
            var sh = text[start..(end + 2)] + text[fn..(fnEnd + 3)] + $"dump_alpine_keys '{dir}'\n";
            var psi = new ProcessStartInfo("sh", ["-c", sh]) { RedirectStandardError = true };
            using (var p = Process.Start(psi)!)
            {
                p.WaitForExit();
                Assert.Equal(0, p.ExitCode);
            }
            var expected = Directory.GetFiles(dir).Select(Path.GetFileName).Order().ToArray();
            var committed = Directory.GetFiles(Path.Combine(Recipes, "keys/alpine")).Select(Path.GetFileName).Order().ToArray();
            Assert.Equal(expected, committed);
            foreach (var f in expected)
                Assert.Equal(File.ReadAllText(Path.Combine(dir, f!)), File.ReadAllText(Path.Combine(Recipes, "keys/alpine", f!)));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
