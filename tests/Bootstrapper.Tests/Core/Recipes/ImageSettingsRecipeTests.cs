using Bootstrapper.Core.Recipes;

namespace Bootstrapper.Tests.Core.Recipes;

/// <summary>The [image] table (official-image options) and the distribution a recipe names.</summary>
public class ImageSettingsRecipeTests
{
    private const string Debian = """
        name = "t"
        family = "debian"
        architecture = "amd64"
        keyrings = ["k.gpg"]

        [[sources]]
        suite = "bookworm"

        [image]
        container_config = true
        slim = true
        """;

    private static Recipe Parse(string text) => RecipeParsing.Parse(text);

    private static string Error(string text) => RecipeParsing.Error(text);

    [Fact]
    public void Image_keys_map_and_default_to_false()
    {
        var r = Parse(Debian);
        Assert.True(r.Image!.ContainerConfig);
        Assert.True(r.Image!.Slim);
        var plain = Parse(Debian[..Debian.IndexOf("[image]", StringComparison.Ordinal)]);
        Assert.Null(plain.Image);
    }

    [Fact]
    public void Wrong_type_names_the_line_and_key()
    {
        var msg = Error(Debian.Replace("slim = true", "slim = \"yes\""));
        Assert.Equal("/r/recipe.toml:11: 'image.slim' has the wrong type: the value is \"string\" but should be \"boolean\"", msg);
    }

    [Fact]
    public void Unknown_image_key_names_the_line()
    {
        var msg = Error(Debian.Replace("slim = true", "slimm = true"));
        Assert.StartsWith("/r/recipe.toml:11: 'image.slimm' is not a recipe key here; allowed keys: env, entrypoint, cmd, user, workdir, labels, version, source, container_config, slim", msg);
    }

    [Theory]
    [InlineData("container_config = true", 10, "container_config")]
    [InlineData("slim = true", 10, "slim")]
    public void Official_image_keys_are_debian_only(string keys, int line, string key)
    {
        var alpine = Debian.Replace("family = \"debian\"", "family = \"alpine\"").Replace("container_config = true\nslim = true", keys);
        Assert.Equal($"/r/recipe.toml:{line}: 'image.{key}' is not allowed for family 'alpine' (see recipes.schema.json)", Error(alpine));
    }

    [Theory]
    [InlineData("", "debian")]
    [InlineData("archive = \"debian-security\"", "debian")]
    [InlineData("archive = \"ubuntu\"", "ubuntu")]
    [InlineData("archive = \"ubuntu-security\"", "ubuntu")]
    public void Vendor_is_the_first_archive_without_its_suffix(string archive, string vendor) =>
        Assert.Equal(vendor, Parse(Debian.Replace("suite = \"bookworm\"", "suite = \"bookworm\"\n" + archive)).Vendor);

    [Theory]
    [InlineData("debian-bookworm", false)]
    [InlineData("debian-bookworm-slim", true)]
    [InlineData("debian-trixie", false)]
    [InlineData("debian-trixie-slim", true)]
    public void Shipped_debian_recipes_carry_the_official_container_config(string name, bool slim)
    {
        var r = RecipeLoader.Load(Path.Combine(RepoRoot.Path, "recipes", name + ".toml"));
        Assert.True(r.Image!.ContainerConfig);
        Assert.Equal(slim, r.Image!.Slim);
    }
}
