using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Recipes;
using Bootstrapper.Engine.Mirrors;

namespace Bootstrapper.Tests.Mirrors;

/// <summary>The documented precedence: --mirror, BOOTSTRAP_MIRROR_ARCHIVE, BOOTSTRAP_MIRROR, recipe, host apt sources.</summary>
public class MirrorResolverTests
{
    private static readonly RecipeSource Security = new()
    {
        Suite = "bookworm-security", Components = ["main"], Archive = "debian-security", Mirror = "http://recipe.invalid/debian-security",
    };

    private static readonly RecipeSource Plain = new() { Suite = "bookworm", Components = ["main"], Archive = "debian" };

    private static MirrorResolver Resolver(Dictionary<string, string>? env = null, List<MirrorCandidate>? host = null,
        Func<string, bool>? verifies = null, List<string>? probed = null) =>
        new(env ?? [], host ?? [], (url, _, _) =>
        {
            probed?.Add(url);
            return Task.FromResult(verifies?.Invoke(url) ?? false);
        });

    [Fact]
    public async Task Command_line_beats_everything()
    {
        var env = new Dictionary<string, string> { ["BOOTSTRAP_MIRROR"] = "http://env.invalid", ["BOOTSTRAP_MIRROR_DEBIAN_SECURITY"] = "http://sec.invalid" };
        var c = await Resolver(env).ChooseAsync(Security, 0, "http://cli.invalid/", default);
        Assert.Equal(("http://cli.invalid", "--mirror"), (c.FetchUrl, c.Origin));
    }

    [Fact]
    public async Task Archive_variable_beats_global_variable_and_recipe()
    {
        var env = new Dictionary<string, string> { ["BOOTSTRAP_MIRROR"] = "http://env.invalid", ["BOOTSTRAP_MIRROR_DEBIAN_SECURITY"] = "http://sec.invalid" };
        var c = await Resolver(env).ChooseAsync(Security, 0, null, default);
        Assert.Equal(("http://sec.invalid", "BOOTSTRAP_MIRROR_DEBIAN_SECURITY"), (c.FetchUrl, c.Origin));
    }

    [Fact]
    public async Task Global_variable_beats_recipe()
    {
        var env = new Dictionary<string, string> { ["BOOTSTRAP_MIRROR"] = "http://env.invalid" };
        var c = await Resolver(env).ChooseAsync(Security, 0, null, default);
        Assert.Equal(("http://env.invalid", "BOOTSTRAP_MIRROR"), (c.FetchUrl, c.Origin));
    }

    [Fact]
    public async Task Recipe_beats_host_sources_and_nothing_is_probed()
    {
        var probed = new List<string>();
        var c = await Resolver(host: [new("http://host.invalid/debian", ["bookworm-security"], "debian.sources")], verifies: _ => true, probed: probed)
            .ChooseAsync(Security, 0, null, default);
        Assert.Equal(("http://recipe.invalid/debian-security", "recipe"), (c.FetchUrl, c.Origin));
        Assert.Empty(probed);
    }

    [Fact]
    public async Task Host_sources_listing_the_suite_are_probed_first_and_the_first_that_verifies_wins()
    {
        var probed = new List<string>();
        var host = new List<MirrorCandidate>
        {
            new("http://other.invalid/debian", ["trixie"], "a.list"),
            new("http://first.invalid/debian/", ["bookworm"], "b.sources"),
            new("http://second.invalid/debian", ["bookworm"], "c.sources"),
        };
        var c = await Resolver(host: host, verifies: u => u.Contains("second") || u.Contains("other"), probed: probed)
            .ChooseAsync(Plain, 0, null, default);
        Assert.Equal(["http://first.invalid/debian", "http://second.invalid/debian"], probed);
        Assert.Equal(("http://second.invalid/debian", "http://second.invalid/debian", "host apt sources"), (c.FetchUrl, c.ImageUrl, c.Origin));
    }

    [Fact]
    public async Task A_file_mirror_is_used_to_fetch_but_the_image_names_the_recipe_mirror()
    {
        var c = await Resolver().ChooseAsync(Security, 0, "file:///srv/bundle", default);
        Assert.Equal("file:///srv/bundle", c.FetchUrl);
        Assert.Equal("http://recipe.invalid/debian-security", c.ImageUrl);
    }

    [Fact]
    public async Task No_mirror_at_all_says_how_to_give_one()
    {
        var e = await Assert.ThrowsAsync<RecipeException>(() => Resolver(host: [new("http://h.invalid/debian", ["bookworm"], "x.sources")])
            .ChooseAsync(Plain, 2, null, default));
        Assert.Equal(ExitCodes.UsageOrRecipe, e.ExitCode);
        Assert.Contains("no mirror for sources[2] (suite 'bookworm', archive 'debian')", e.Message);
        Assert.Contains("none of the host's apt sources (http://h.invalid/debian) has a dists/bookworm/InRelease that verifies", e.Message);
        Assert.Contains("--mirror URL, BOOTSTRAP_MIRROR_DEBIAN=URL or BOOTSTRAP_MIRROR=URL", e.Message);
    }

    [Fact]
    public async Task A_mirror_that_is_not_a_url_is_refused()
    {
        var e = await Assert.ThrowsAsync<RecipeException>(() => Resolver().ChooseAsync(Plain, 0, "ftp://x.invalid", default));
        Assert.Contains("is not an http, https or file:// URL", e.Message);
    }
}
