using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Recipes;

namespace Bootstrapper.Tests.Core.Recipes;

public class RecipeLoaderTests
{
    private const string Valid = """
        name = "t"
        family = "debian"
        architecture = "amd64"
        keyrings = ["k.gpg"]

        [[sources]]
        suite = "bookworm"

        [[sources]]
        suite = "bookworm-security"
        components = ["main", "contrib"]
        archive = "debian-security"

        [packages]
        variant = "apt"
        include = ["less"]
        exclude = ["nano"]

        [output]
        path = "out/t.tar.zst"
        source_date_epoch = 1700000000
        """;

    private static Recipe Parse(string text) => RecipeParsing.Parse(text);

    private static string Error(string text) => RecipeParsing.Error(text);

    [Fact]
    public void Valid_recipe_maps_every_field()
    {
        var r = Parse(Valid);
        Assert.Equal("t", r.Name);
        Assert.Equal(DistroFamily.Debian, r.Family);
        Assert.Equal(["/r/k.gpg"], r.Keyrings);
        Assert.Equal(2, r.Sources.Count);
        Assert.Equal(["main"], r.Sources[0].Components);
        Assert.Equal("debian", r.Sources[0].Archive);
        Assert.Equal("debian-security", r.Sources[1].Archive);
        Assert.Equal(["main", "contrib"], r.Sources[1].Components);
        Assert.Equal("apt", r.Packages.Variant);
        Assert.Equal(["less"], r.Packages.Include);
        Assert.Equal(["nano"], r.Packages.Exclude);
        Assert.Equal("/work/out/t.tar.zst", r.Output.Path);
        Assert.Equal(1700000000, r.Output.SourceDateEpoch);
    }

    [Fact]
    public void Defaults_are_minbase_and_name_tar()
    {
        var r = Parse("""
            name = "x"
            family = "debian"
            architecture = "amd64"
            keyrings = ["k"]
            [[sources]]
            suite = "bookworm"
            """);
        Assert.Equal("minbase", r.Packages.Variant);
        Assert.Equal("/work/x.tar", r.Output.Path);
        Assert.Equal("auto", r.Output.Compression);
    }

    [Fact]
    public void Typo_in_key_names_line_and_key_path_and_allowed_keys()
    {
        var msg = Error(Valid.Replace("variant = \"apt\"", "varient = \"apt\""));
        Assert.StartsWith("recipe.toml:15: 'packages.varient' is not a recipe key here; allowed keys: variant, include, exclude", msg.Replace("/r/", ""));
    }

    [Fact]
    public void Typo_inside_array_of_tables_names_the_element()
    {
        var msg = Error(Valid.Replace("archive = \"debian-security\"", "archiv = \"debian-security\""));
        Assert.Contains(":12: 'sources[1].archiv' is not a recipe key here", msg);
    }

    [Fact]
    public void Wrong_type_names_line_and_key_path()
    {
        var msg = Error(Valid.Replace("source_date_epoch = 1700000000", "source_date_epoch = \"yesterday\""));
        Assert.Equal("/r/recipe.toml:21: 'output.source_date_epoch' has the wrong type: the value is \"string\" but should be \"integer\"", msg);
    }

    [Fact]
    public void Wrong_enum_value_is_reported()
    {
        var msg = Error(Valid.Replace("variant = \"apt\"", "variant = \"tiny\""));
        Assert.Equal("/r/recipe.toml:15: 'packages.variant' must be one of: essential, apt, minbase, buildd, important, standard", msg);
    }

    [Fact]
    public void Missing_required_field_is_named()
    {
        var msg = Error(Valid.Replace("architecture = \"amd64\"\n", ""));
        Assert.Equal("/r/recipe.toml:1: the recipe is missing required key(s): architecture (or architectures, a list)", msg);
    }

    [Fact]
    public void Architectures_lists_one_image_per_entry()
    {
        var r = Parse(Valid.Replace("architecture = \"amd64\"", "architectures = [\"amd64\", \"arm64\"]"));
        Assert.Equal(["amd64", "arm64"], r.Architectures);
        Assert.Equal("amd64", r.Architecture);
        Assert.Empty(Parse(Valid).Architectures);
    }

    [Fact]
    public void Architecture_and_architectures_together_are_refused() =>
        Assert.Equal("/r/recipe.toml:4: give either 'architecture' or 'architectures', not both",
            Error(Valid.Replace("architecture = \"amd64\"", "architecture = \"amd64\"\narchitectures = [\"arm64\"]")));

    [Fact]
    public void Architectures_must_be_a_non_empty_list_of_names() =>
        Assert.StartsWith("/r/recipe.toml:3: 'architectures'",
            Error(Valid.Replace("architecture = \"amd64\"", "architectures = []")));

    [Fact]
    public void Missing_suite_in_a_source_names_the_source()
    {
        var msg = Error(Valid.Replace("suite = \"bookworm-security\"\n", ""));
        Assert.Equal("/r/recipe.toml:9: 'sources[1]' is missing required key(s): suite", msg);
    }

    [Fact]
    public void Toml_syntax_error_names_line_and_column()
    {
        var msg = Error(Valid.Replace("variant = \"apt\"", "variant = = \"apt\""));
        Assert.StartsWith("/r/recipe.toml:15:", msg);
        Assert.Contains("TOML syntax error", msg);
    }

    [Fact]
    public void Table_defined_twice_is_refused()
    {
        var msg = Error(Valid + "\n[packages]\nvariant = \"minbase\"\n");
        Assert.Equal("/r/recipe.toml:22:1: 'packages' is defined more than once (first at line 14); define each key and table once", msg);
    }

    [Fact]
    public void Key_defined_twice_is_refused()
    {
        var msg = Error(Valid.Replace("name = \"t\"", "name = \"t\"\nname = \"u\""));
        Assert.StartsWith("/r/recipe.toml:2:1: 'name' is defined more than once (first at line 1)", msg);
    }

    [Fact]
    public void Array_of_tables_after_inline_array_is_refused()
    {
        var msg = Error(Valid.Replace("keyrings = [\"k.gpg\"]", "keyrings = [\"k.gpg\"]\nsources = []"));
        Assert.Contains("'sources' is defined more than once (first at line 5)", msg);
    }

    [Fact]
    public void Alpine_recipes_cannot_pick_a_debian_variant()
    {
        var msg = Error(Valid.Replace("family = \"debian\"", "family = \"alpine\""));
        Assert.Equal("/r/recipe.toml:15: 'packages.variant' is not allowed for family 'alpine' (see recipes.schema.json)", msg);
    }

    [Fact]
    public void Mirror_must_be_a_url()
    {
        var msg = Error(Valid.Replace("suite = \"bookworm\"\n", "suite = \"bookworm\"\nmirror = \"example\"\n"));
        Assert.Equal("/r/recipe.toml:8: 'sources[0].mirror' has the wrong form: it must match ^(https?|file)://", msg);
    }

    [Fact]
    public void Missing_keyring_file_names_it_when_loading_from_disk()
    {
        var dir = Directory.CreateTempSubdirectory();
        try
        {
            var path = Path.Combine(dir.FullName, "r.toml");
            File.WriteAllText(path, Valid);
            var e = Assert.Throws<RecipeException>(() => RecipeLoader.Load(path));
            Assert.Contains(":4: keyrings[0]: file '", e.Message);
            Assert.Contains("k.gpg' does not exist", e.Message);
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void Committed_recipes_load()
    {
        var recipes = Path.Combine(RepoRoot.Path, "recipes");
        foreach (var file in Directory.GetFiles(recipes, "*.toml"))
            RecipeLoader.Load(file);
    }

    [Fact]
    public void Snapshot_and_check_valid_until_are_read()
    {
        var r = Parse("snapshot = \"2026-11-01T00:00:00Z\"\n" + Valid.Replace("archive = \"debian-security\"",
            "archive = \"debian-security\"\ncheck_valid_until = false"));
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), r.Snapshot);
        Assert.Equal([true, false], r.Sources.Select(s => s.CheckValidUntil));
    }

    [Fact]
    public void A_snapshot_that_is_not_a_utc_time_names_the_form()
    {
        var msg = Error("snapshot = \"2026-11-01\"\n" + Valid);
        Assert.Contains(":1: 'snapshot' has the wrong form: it must match ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$", msg);
    }
}
