using Bootstrapper.Core.Customization;
using Bootstrapper.Core.Debian.Control;
using Bootstrapper.Core.Debian.Resolution;
using Bootstrapper.Core.Errors;
using Bootstrapper.Tests.Core.Debian.Resolution;

namespace Bootstrapper.Tests.Core.Customization;

/// <summary>The pure parts of customization: dpkg's filter semantics, the account commands, include selectors, plan checks.</summary>
public sealed class CustomizationLogicTests
{
    [Theory]
    [InlineData("/usr/share/doc/bash/README", true)]
    [InlineData("/usr/share/doc/bash/copyright", false)]
    [InlineData("/usr/share/doc/bash", true)]            // the directory goes unless something in it stays
    [InlineData("/usr/share/doc/bash/examples/copyright", false)] // '*' crosses '/' in dpkg's fnmatch
    [InlineData("/usr/share/man/man1/ls.1.gz", true)]
    [InlineData("/usr/share/locale/de/LC_MESSAGES/dpkg.mo", false)]
    [InlineData("/usr/share/locale/fr/LC_MESSAGES/dpkg.mo", true)]
    [InlineData("/usr/share/locale/locale.alias", false)]
    [InlineData("/usr/share/info/dir", true)]
    [InlineData("/usr/bin/ls", false)]
    public void Minimize_rules_decide_as_dpkg_filters(string path, bool excluded) =>
        Assert.Equal(excluded, new MinimizeRules(new MinimizeSpec(true, true, true, ["de"])).Excludes(path));

    [Fact]
    public void Minimize_config_is_dpkg_cfg_syntax_in_rule_order() =>
        Assert.Equal("""
            # Written by bootstrap from the recipe's [minimize]: dpkg leaves these paths out of
            # every later install too. Remove this file to get them again.
            path-exclude /usr/share/man/*
            path-exclude /usr/share/locale/*
            path-include /usr/share/locale/locale.alias
            path-include /usr/share/locale/pt_BR/*

            """, new MinimizeRules(new MinimizeSpec(false, true, true, ["pt_BR"])).ConfigText());

    [Fact]
    public void Accounts_become_groupadd_and_useradd_calls()
    {
        var script = AccountCommands.Script(
            [new GroupSpec("app", 1000, false), new GroupSpec("svc", null, true)],
            [new UserSpec("app", 1000, "app", ["users", "adm"], null, "/bin/bash", "App user, it's me", false),
             new UserSpec("daemon2", null, null, [], null, null, null, true)]);
        Assert.Equal("""
            set -e
            groupadd --gid 1000 app
            groupadd --system svc
            useradd --no-log-init --uid 1000 --gid app --groups users,adm --create-home --shell /bin/bash --comment 'App user, it'\''s me' app
            useradd --no-log-init --system daemon2

            """, script);
    }

    private static PackagesIndex Index(string suite, string version) =>
        ResolverTestUniverse.Index($"{suite}/main", $"Package: hello\nVersion: {version}");

    [Fact]
    public void Selectors_pick_a_version_or_a_suite_over_the_candidate()
    {
        var indices = new[] { Index("bookworm", "2.10-3"), Index("bookworm-backports", "2.12-1"), Index("trixie", "2.12.1-1") };
        Assert.Equal("2.12.1-1", ResolverTestUniverse.Build(indices).Find("hello")!.Version.ToString());
        Assert.Equal("2.10-3", PackageUniverse.Build(indices, "amd64", [PackageSelector.Parse("hello=2.10-3")]).Find("hello")!.Version.ToString());
        Assert.Equal("2.12-1", PackageUniverse.Build(indices, "amd64", [PackageSelector.Parse("hello/bookworm-backports")]).Find("hello")!.Version.ToString());
    }

    [Fact]
    public void A_selector_nothing_satisfies_lists_what_the_sources_have()
    {
        var indices = new[] { Index("bookworm", "2.10-3"), Index("trixie", "2.12.1-1") };
        var e = Assert.Throws<ResolutionException>(() => PackageUniverse.Build(indices, "amd64", [PackageSelector.Parse("hello=9.9")]));
        Assert.Equal(ExitCodes.ResolutionFailed, e.ExitCode);
        Assert.Equal("packages.include 'hello=9.9': no hello of version 9.9 in the sources; available: 2.10-3 (bookworm), 2.12.1-1 (trixie)", e.Message);
        e = Assert.Throws<ResolutionException>(() => PackageUniverse.Build(indices, "amd64", [PackageSelector.Parse("hello/sid")]));
        Assert.Equal("packages.include 'hello/sid': no hello in suite sid in the sources; available: 2.10-3 (bookworm), 2.12.1-1 (trixie) " +
                     "(the suite is matched as written in [[sources]])", e.Message);
    }

    [Fact]
    public void Settings_that_need_a_package_stop_at_plan_time()
    {
        var e = Assert.Throws<RecipeException>(() => CustomizePlanCheck.Check(new CustomizationSteps { Timezone = "Europe/Berlin" }, ["bash"]));
        Assert.Equal("system.timezone \"Europe/Berlin\" needs the time zone data, which the package set does not contain: add \"tzdata\" to packages.include", e.Message);
        e = Assert.Throws<RecipeException>(() => CustomizePlanCheck.Check(new CustomizationSteps { Locale = "de_DE.UTF-8" }, ["bash"]));
        Assert.StartsWith("system.locale \"de_DE.UTF-8\" must be generated, and the package set has no locales package", e.Message);
        CustomizePlanCheck.Check(new CustomizationSteps { Locale = "C.UTF-8", Timezone = "Etc/UTC" }, ["tzdata"]);
    }
}
