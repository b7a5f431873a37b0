using Bootstrapper.Core.Customization;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Recipes;

namespace Bootstrapper.Tests.Core.Customization;

/// <summary>The customization keys of a recipe: what they read as, and one line-precise message per mistake.</summary>
public sealed class CustomizationRecipeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bootstrap-custom-recipe-").FullName;

    private const string Head = """
        name = "t"
        family = "debian"
        architecture = "amd64"
        keyrings = ["k.gpg"]

        [[sources]]
        suite = "bookworm"

        """;

    public CustomizationRecipeTests()
    {
        File.WriteAllText(Path.Combine(_dir, "k.gpg"), "");
        File.WriteAllText(Path.Combine(_dir, "ca.crt"), "cert");
        Directory.CreateDirectory(Path.Combine(_dir, "app"));
    }

    private Recipe Parse(string text) => RecipeLoader.Parse(Head + text, Path.Combine(_dir, "r.toml"), _dir, checkFiles: true);

    private string Error(string text)
    {
        var e = Assert.Throws<RecipeException>(() => Parse(text));
        Assert.Equal(ExitCodes.UsageOrRecipe, e.ExitCode);
        return e.Message.Replace(Path.Combine(_dir, "r.toml"), "r.toml").Replace(_dir, "DIR");
    }

    [Fact]
    public void Every_key_reads_into_the_model()
    {
        var c = Parse("""
            [packages]
            include = ["tzdata", "hello=2.10-3", "curl/bookworm-backports"]

            [system]
            timezone = "Europe/Berlin"
            locale = "C.UTF-8"

            [[groups]]
            name = "app"
            gid = 1000

            [[users]]
            name = "app"
            uid = 1000
            group = "app"
            groups = ["users", "adm"]
            home = "/srv/app"
            shell = "/bin/bash"
            comment = "App"

            [[files]]
            path = "/usr/local/share/ca-certificates/ca.crt"
            source = "ca.crt"
            mode = "0640"
            owner = "root:app"

            [[files]]
            path = "/opt/app/"
            source = "app"

            [[files]]
            path = "/etc/motd"
            content = "hi\n"

            [[run]]
            name = "early"
            stage = "after-essential"
            command = "true"

            [[run]]
            name = "fetch"
            command = "apt-get update"
            network = true

            [[image_sources]]
            uris = ["http://mirror.internal/debian"]
            suites = ["bookworm"]
            key = "ca.crt"

            [minimize]
            man = false
            keep_locales = ["de"]
            """).Customize;
        Assert.Equal("Europe/Berlin", c.Timezone);
        Assert.Equal(new GroupSpec("app", 1000, false), c.Groups.Single());
        var u = c.Users.Single();
        Assert.Equal(("app", 1000, "app", "users,adm", "/srv/app", "/bin/bash", "App", false),
            (u.Name, u.Uid, u.Group, string.Join(',', u.Groups), u.Home, u.Shell, u.Comment, u.System));
        Assert.Equal(new FileSpec("/usr/local/share/ca-certificates/ca.crt", Path.Combine(_dir, "ca.crt"), null, 0x1A0, "root:app", "files[0]"), c.Files[0]);
        Assert.Equal(new FileSpec("/opt/app", Path.Combine(_dir, "app"), null, null, null, "files[1]"), c.Files[1]);
        Assert.Equal("hi\n", c.Files[2].Content);
        Assert.Equal([new RunStep("early", RunStage.AfterEssential, "true", false), new RunStep("fetch", RunStage.AfterPackages, "apt-get update", true)], c.Run);
        var s = c.ImageSources.Single();
        Assert.Equal(("http://mirror.internal/debian", "bookworm", "main", Path.Combine(_dir, "ca.crt")),
            (s.Uris.Single(), s.Suites.Single(), s.Components.Single(), s.KeySource));
        Assert.Equal((true, false, true, "de"), (c.Minimize!.Docs, c.Minimize.Man, c.Minimize.Locales, c.Minimize.KeepLocales.Single()));
    }

    [Fact]
    public void A_plain_recipe_has_no_customization() => Assert.True(Parse("").Customize.IsEmpty);

    [Theory]
    [InlineData("[[users]]\nname = \"app\"\nshel = \"/bin/sh\"\n",
        "r.toml:10: 'users[0].shel' is not a recipe key here; allowed keys: name, uid, group, groups, home, shell, comment, system (see recipes.schema.json)")]
    [InlineData("[[run]]\nname = \"x\"\ncommand = \"true\"\nstage = \"later\"\n",
        "r.toml:11: 'run[0].stage' must be one of: after-essential, after-packages, before-pack")]
    [InlineData("[[files]]\npath = \"/etc/x\"\nsource = \"missing.txt\"\n",
        "r.toml:10: 'files[0].source': file or directory 'DIR/missing.txt' does not exist (paths are relative to the recipe's folder)")]
    [InlineData("[[files]]\npath = \"/etc/x\"\nsource = \"../outside\"\n",
        "r.toml:10: 'files[0].source' must be a path inside the recipe's folder DIR, not '../outside'")]
    [InlineData("[[files]]\npath = \"/opt/app\"\nsource = \"app\"\nmode = \"0600\"\n",
        "r.toml:11: 'files[0].mode' applies to a single file; the tree 'app' keeps 0644, or 0755 where the execute bit is set")]
    [InlineData("[[files]]\npath = \"/etc/../x\"\ncontent = \"\"\n",
        "r.toml:9: 'files[0].path' must not contain '.' or '..' segments: '/etc/../x'")]
    [InlineData("[[files]]\npath = \"/etc/x\"\nmode = \"644\"\n",
        "r.toml:8: 'files[0]' is missing required key(s): source (1 more problem(s) after this one)")]
    [InlineData("[[files]]\npath = \"/etc/x\"\ncontent = \"\"\nmode = \"rw\"\n",
        "r.toml:11: 'files[0].mode' has the wrong form: it must match ^0?[0-7]{3,4}$ (1 more problem(s) after this one)")]
    [InlineData("[[run]]\nname = \"a\"\ncommand = \"true\"\n\n[[run]]\nname = \"a\"\ncommand = \"false\"\n",
        "r.toml:13: 'run[1].name' \"a\" is used by an earlier step; give each step its own name")]
    [InlineData("[packages]\ninclude = [\"hello==1\"]\n",
        "r.toml:9: 'packages.include[0]' has the wrong form: it must match ^[a-z0-9][a-z0-9+.-]*(=[A-Za-z0-9.+~:-]+|/[A-Za-z0-9][A-Za-z0-9.-]*)?$")]
    [InlineData("[[image_sources]]\nuris = [\"file:///srv/mirror\"]\nsuites = [\"bookworm\"]\n",
        "r.toml:9: 'image_sources[0].uris[0]' has the wrong form: it must match ^(https?|tor\\+https?|mirror\\+https?)://[^\\s]+$")]
    public void Mistakes_name_the_line_and_key(string text, string expected) => Assert.Equal(expected, Error(text));

    [Fact]
    public void Alpine_recipes_refuse_customization()
    {
        var e = Assert.Throws<RecipeException>(() => RecipeLoader.Parse(
            Head.Replace("\"debian\"", "\"alpine\"") + "[[run]]\nname = \"x\"\ncommand = \"true\"\n", Path.Combine(_dir, "r.toml"), _dir));
        Assert.EndsWith(": 'run' is not allowed for family 'alpine' (see recipes.schema.json)", e.Message);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
