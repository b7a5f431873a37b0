using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Recipes;
using Bootstrapper.Engine.Net.Mirrors;

namespace Bootstrapper.Tests.Engine.Net.Mirrors;

/// <summary>The documented precedence: --mirror, BOOTSTRAP_MIRROR_ARCHIVE, BOOTSTRAP_MIRROR, recipe, host apt sources.</summary>
public class MirrorResolverTests
{
    private static readonly RecipeSource Security = new()
    {
        Suite = "bookworm-security",
        Components = ["main"],
        Archive = "debian-security",
        Mirror = "http://recipe.invalid/debian-security",
    };

    private static readonly RecipeSource Plain = new() { Suite = "bookworm", Components = ["main"], Archive = "debian" };

    private static MirrorResolver Resolver(Dictionary<string, string>? env = null, List<MirrorCandidate>? host = null,
        Func<string, bool>? verifies = null, List<string>? probed = null, Func<string, MirrorProbe>? probe = null) =>
        new(env ?? [], host ?? [], (url, _, _) =>
        {
            probed?.Add(url);
            return Task.FromResult(probe?.Invoke(url)
                                   ?? (verifies?.Invoke(url) == true ? MirrorProbe.Usable : new MirrorProbe(MirrorFault.Missing, "HTTP 404")));
        });

    private static MirrorOverrides Cli(string? every, params (string Archive, string Url)[] byArchive) =>
        new(every, byArchive.ToDictionary(a => a.Archive, a => a.Url));

    [Fact]
    public async Task Command_line_beats_everything()
    {
        var env = new Dictionary<string, string> { ["BOOTSTRAP_MIRROR"] = "http://env.invalid", ["BOOTSTRAP_MIRROR_DEBIAN_SECURITY"] = "http://sec.invalid" };
        var c = await Resolver(env).ChooseAsync(Security, 0, Cli("http://cli.invalid/"), default);
        Assert.Equal(("http://cli.invalid", "--mirror"), (c.FetchUrl, c.Origin));
    }

    [Fact]
    public async Task Archive_variable_beats_global_variable_and_recipe()
    {
        var env = new Dictionary<string, string> { ["BOOTSTRAP_MIRROR"] = "http://env.invalid", ["BOOTSTRAP_MIRROR_DEBIAN_SECURITY"] = "http://sec.invalid" };
        var c = await Resolver(env).ChooseAsync(Security, 0, MirrorOverrides.None, default);
        Assert.Equal(("http://sec.invalid", "BOOTSTRAP_MIRROR_DEBIAN_SECURITY"), (c.FetchUrl, c.Origin));
    }

    [Fact]
    public async Task Global_variable_beats_recipe()
    {
        var env = new Dictionary<string, string> { ["BOOTSTRAP_MIRROR"] = "http://env.invalid" };
        var c = await Resolver(env).ChooseAsync(Security, 0, MirrorOverrides.None, default);
        Assert.Equal(("http://env.invalid", "BOOTSTRAP_MIRROR"), (c.FetchUrl, c.Origin));
    }

    [Fact]
    public async Task Recipe_beats_host_sources_and_nothing_is_probed()
    {
        var probed = new List<string>();
        var c = await Resolver(host: [new("http://host.invalid/debian", ["bookworm-security"], "debian.sources")], verifies: _ => true, probed: probed)
            .ChooseAsync(Security, 0, MirrorOverrides.None, default);
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
            .ChooseAsync(Plain, 0, MirrorOverrides.None, default);
        Assert.Equal(["http://first.invalid/debian", "http://second.invalid/debian"], probed);
        Assert.Equal(("http://second.invalid/debian", "http://second.invalid/debian", "host apt sources"), (c.FetchUrl, c.ImageUrl, c.Origin));
    }

    [Fact]
    public async Task A_file_mirror_is_used_to_fetch_but_the_image_names_the_recipe_mirror()
    {
        var c = await Resolver().ChooseAsync(Security, 0, Cli("file:///srv/bundle"), default);
        Assert.Equal("file:///srv/bundle", c.FetchUrl);
        Assert.Equal("http://recipe.invalid/debian-security", c.ImageUrl);
    }

    [Fact]
    public async Task No_mirror_at_all_says_how_to_give_one()
    {
        var e = await Assert.ThrowsAsync<RecipeException>(() => Resolver().ChooseAsync(Plain, 2, MirrorOverrides.None, default));
        Assert.Equal(ExitCodes.UsageOrRecipe, e.ExitCode);
        Assert.Equal("no mirror for sources[2] (suite 'bookworm', archive 'debian'): none is configured. Give one with " +
                     "--mirror URL (every source), --mirror debian=URL, BOOTSTRAP_MIRROR_DEBIAN=URL or BOOTSTRAP_MIRROR=URL in the " +
                     "environment, or `mirror = \"URL\"` in the recipe's [[sources]] (http, https and file:// work).", e.Message);
    }

    private static readonly List<MirrorCandidate> TwoHostSources =
    [
        new("http://a.invalid/debian", ["bookworm"], "a.sources"),
        new("http://b.invalid/debian", ["bookworm"], "b.sources"),
    ];

    [Fact]
    public async Task Host_sources_that_cannot_be_reached_are_listed_with_what_happened_and_exit_5()
    {
        var e = await Assert.ThrowsAsync<FetchException>(() => Resolver(host: TwoHostSources, probe: u => u.Contains("a.")
                ? new MirrorProbe(MirrorFault.Unreachable, "request failed: Connection refused (a.invalid:80)")
                : new MirrorProbe(MirrorFault.Missing, "HTTP 404 for dists/bookworm/InRelease"))
            .ChooseAsync(Plain, 0, MirrorOverrides.None, default));
        Assert.Equal(ExitCodes.FetchFailed, e.ExitCode);
        Assert.StartsWith("no mirror for sources[0] (suite 'bookworm', archive 'debian'): none of the host's apt sources has a " +
                          "dists/bookworm/InRelease that verifies with the recipe's keyring:\n" +
                          "  http://a.invalid/debian: request failed: Connection refused (a.invalid:80)\n" +
                          "  http://b.invalid/debian: HTTP 404 for dists/bookworm/InRelease\n" +
                          "Give one with --mirror URL (every source)", e.Message);
    }

    [Fact]
    public async Task A_host_source_that_answers_with_an_expired_index_makes_it_a_verification_failure()
    {
        var e = await Assert.ThrowsAsync<VerificationException>(() => Resolver(host: TwoHostSources, probe: u => u.Contains("a.")
                ? new MirrorProbe(MirrorFault.Unreachable, "no data for 30 s after 0 bytes (stalled connection)")
                : new MirrorProbe(MirrorFault.Unverified, "expired: Valid-Until 2026-01-01 00:00:00 UTC has passed"))
            .ChooseAsync(Plain, 0, MirrorOverrides.None, default));
        Assert.Equal(ExitCodes.VerificationFailed, e.ExitCode);
        Assert.Contains("\n  http://a.invalid/debian: no data for 30 s after 0 bytes (stalled connection)\n" +
                        "  http://b.invalid/debian: expired: Valid-Until 2026-01-01 00:00:00 UTC has passed\n", e.Message);
    }

    [Fact]
    public async Task Mirror_for_one_archive_beats_the_plain_mirror_and_leaves_other_archives_alone()
    {
        var overrides = Cli("http://every.invalid/debian", ("debian-security", "http://sec.invalid/debian-security"));
        var security = await Resolver().ChooseAsync(Security, 0, overrides, default);
        Assert.Equal(("http://sec.invalid/debian-security", "--mirror debian-security="), (security.FetchUrl, security.Origin));
        var plain = await Resolver().ChooseAsync(Plain, 1, overrides, default);
        Assert.Equal(("http://every.invalid/debian", "--mirror"), (plain.FetchUrl, plain.Origin));
        // Without a plain --mirror, the other archive keeps the usual precedence (here: the environment).
        var env = new Dictionary<string, string> { ["BOOTSTRAP_MIRROR_DEBIAN"] = "http://env.invalid/debian" };
        var fromEnv = await Resolver(env).ChooseAsync(Plain, 1, Cli(null, ("debian-security", "http://sec.invalid")), default);
        Assert.Equal(("http://env.invalid/debian", "BOOTSTRAP_MIRROR_DEBIAN"), (fromEnv.FetchUrl, fromEnv.Origin));
    }

    [Fact]
    public void Mirror_values_are_parsed_as_archive_or_every_source()
    {
        var parsed = MirrorOverrides.Parse(["http://m.invalid/debian", "debian-security=http://s.invalid/x?a=b"]);
        Assert.Equal("http://m.invalid/debian", parsed.Every);
        Assert.Equal("http://s.invalid/x?a=b", parsed.ByArchive["debian-security"]);
        Assert.Single(parsed.ByArchive);
        Assert.Equal("file:///srv/b=1", MirrorOverrides.Parse(["file:///srv/b=1"]).Every); // '=' after the scheme: a URL
        var twice = Assert.Throws<RecipeException>(() => MirrorOverrides.Parse(["debian=http://a.invalid", "debian=http://b.invalid"]));
        Assert.Equal("--mirror debian= is given twice (http://a.invalid and http://b.invalid); give one URL per archive", twice.Message);
        Assert.Equal(["--mirror debain=: no source of recipe 'r' has archive 'debain' (its archives: debian-security, debian); this " +
                      "--mirror changes nothing for it"],
            Cli(null, ("debain", "http://x.invalid")).UnusedBy("r", [Security, Plain]));
    }

    [Fact]
    public async Task A_mirror_that_is_not_a_url_is_refused()
    {
        var e = await Assert.ThrowsAsync<RecipeException>(() => Resolver().ChooseAsync(Plain, 0, Cli("ftp://x.invalid"), default));
        Assert.Contains("is not an http, https or file:// URL", e.Message);
    }
}
