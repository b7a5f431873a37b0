using Bootstrapper.Core.Recipes;
using Bootstrapper.Engine.Families.Debian.Finalize;

namespace Bootstrapper.Tests.Engine.Families.Debian.Finalize;

/// <summary>What an Ubuntu image carries that a Debian one names differently, and the shipped noble recipe.</summary>
public sealed class UbuntuImageFilesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bootstrap-ubuntu-finalize-").FullName;

    public void Dispose() => Directory.Delete(_root, true);

    [Fact]
    public void Sources_file_is_named_as_ubuntu_names_it()
    {
        Directory.CreateDirectory(Path.Combine(_root, "var/lib/dpkg"));
        var source = new AptSource(["deb"], ["http://mirror.internal/ubuntu"], ["noble", "noble-updates"], ["main"],
            "/usr/share/keyrings/ubuntu-archive-keyring.gpg");
        var changed = Finalizer.Finalize(new FinalizeOptions { RootDirectory = _root, Suite = "noble", Sources = [source], Vendor = "ubuntu" });

        Assert.Contains("etc/apt/sources.list.d/ubuntu.sources", changed);
        Assert.False(File.Exists(Path.Combine(_root, "etc/apt/sources.list.d/debian.sources")));
        Assert.Equal("""
            Types: deb
            URIs: http://mirror.internal/ubuntu
            Suites: noble noble-updates
            Components: main
            Signed-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg

            """.ReplaceLineEndings("\n"), File.ReadAllText(Path.Combine(_root, "etc/apt/sources.list.d/ubuntu.sources")));
    }

    [Fact]
    public void Noble_recipe_names_the_ubuntu_archives_and_the_shipped_key()
    {
        var recipe = RecipeLoader.Load(Path.Combine(RepoRoot.Path, "recipes", "ubuntu-noble.toml"));
        Assert.Equal("ubuntu", recipe.Vendor);
        Assert.Equal(DistroFamily.Debian, recipe.Family);
        Assert.Equal([("noble", "ubuntu"), ("noble-updates", "ubuntu"), ("noble-security", "ubuntu-security")],
            recipe.Sources.Select(s => (s.Suite, s.Archive)));
        Assert.All(recipe.Sources, s => Assert.Null(s.Mirror));
        Assert.Equal("ubuntu-archive-keyring.gpg", Path.GetFileName(Assert.Single(recipe.Keyrings)));
        // The key is the one Debian's ubuntu-keyring package ships (recipes/keys/README.md gives its provenance).
        Assert.Equal("80a36b0a6de2f69f49d2df75ef473ccde121e9e190b9ea01d20a4f63778d5c31",
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(recipe.Keyrings[0]))));
    }
}
