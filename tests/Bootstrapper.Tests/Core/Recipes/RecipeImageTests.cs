using Bootstrapper.Core.Recipes;

namespace Bootstrapper.Tests.Core.Recipes;

public class RecipeImageTests
{
    private const string Head = """
        name = "t"
        family = "debian"
        architecture = "amd64"
        keyrings = ["k.gpg"]

        [[sources]]
        suite = "bookworm"

        """;

    private static Recipe Parse(string image) => Recipes.RecipeParsing.Parse(Head + image);

    private static string Error(string image) => Recipes.RecipeParsing.Error(Head + image);

    [Fact]
    public void Image_table_maps_every_field_in_the_recipes_order()
    {
        var image = Parse("""
            [image]
            env = { LANG = "C.UTF-8", A = "b=c" }
            entrypoint = ["/bin/sh", "-c"]
            cmd = ["echo hi"]
            user = "nobody"
            workdir = "/srv"
            labels = { "org.example.team" = "platform" }
            version = "12.4"
            source = "https://git.example/base"
            """).Image!;
        Assert.Equal(["LANG=C.UTF-8", "A=b=c"], image.Env);
        Assert.Equal(["/bin/sh", "-c"], image.Entrypoint);
        Assert.Equal(["echo hi"], image.Cmd);
        Assert.Equal("nobody", image.User);
        Assert.Equal("/srv", image.Workdir);
        Assert.Equal("platform", image.Labels["org.example.team"]);
        Assert.Equal("12.4", image.Version);
        Assert.Equal("https://git.example/base", image.Source);
    }

    [Fact]
    public void Without_an_image_table_there_is_no_config() => Assert.Null(Parse("").Image);

    [Fact]
    public void A_wrong_value_is_named_with_its_line()
    {
        Assert.Equal("/r/recipe.toml:10: 'image.env.PORT' has the wrong type: the value is \"integer\" but should be \"string\"",
            Error("[image.env]\nLANG = \"C\"\nPORT = 80"));
    }

    [Fact]
    public void Unknown_keys_list_the_allowed_ones()
    {
        Assert.Equal("/r/recipe.toml:9: 'image.command' is not a recipe key here; allowed keys: env, entrypoint, cmd, user, " +
                     "workdir, labels, version, source, container_config, slim (see recipes.schema.json)",
            Error("[image]\ncommand = [\"sh\"]"));
    }

    [Fact]
    public void A_relative_workdir_is_refused()
    {
        Assert.Equal("/r/recipe.toml:10: 'image.workdir' has the wrong form: it must match ^/",
            Error("[image]\nuser = \"root\"\nworkdir = \"srv\""));
    }
}
