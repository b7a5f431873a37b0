using Bootstrapper.Core.Debian.Resolution;
using Bootstrapper.Core.Errors;
using static Bootstrapper.Tests.Core.Debian.Resolution.ResolverTestUniverse;

namespace Bootstrapper.Tests.Core.Debian.Resolution;

/// <summary>Conflicts, Breaks and Exclude steer choices; when they leave no choice, resolution fails with the chain.</summary>
public sealed class ResolverConflictAndExcludeTests
{
    [Theory]
    [InlineData("Conflicts")]
    [InlineData("Breaks")]
    public void Alternative_conflicting_with_selection_is_skipped(string field)
    {
        var u = Build("Package: root\nEssential: yes\nDepends: a | b", "Package: other\nEssential: yes",
            $"Package: a\n{field}: other", "Package: b");
        Assert.Equal(["b", "other", "root"], Resolve(u).Names());
    }

    [Fact]
    public void Alternative_that_a_selected_package_conflicts_with_is_skipped()
    {
        var u = Build("Package: root\nEssential: yes\nDepends: a | b\nConflicts: a (<< 2)", "Package: a\nVersion: 1.0", "Package: b");
        Assert.Equal(["b", "root"], Resolve(u).Names());
    }

    [Fact]
    public void Versioned_conflict_outside_its_range_does_not_apply()
    {
        var u = Build("Package: root\nEssential: yes\nDepends: a | b\nConflicts: a (<< 2)", "Package: a\nVersion: 2.0", "Package: b");
        Assert.Equal(["a", "root"], Resolve(u).Names());
    }

    [Fact]
    public void Conflict_with_a_virtual_name_hits_its_providers_but_not_the_conflicting_package_itself()
    {
        // The Conflicts+Provides pattern of mail-transport-agent: a package may conflict with what it provides.
        var u = Build("Package: root\nEssential: yes\nDepends: mta, mailx",
            "Package: exim\nPriority: standard\nProvides: mta\nConflicts: mta",
            "Package: mailx\nDepends: postfix | other-mailx", "Package: postfix\nPriority: optional\nProvides: mta\nConflicts: mta",
            "Package: other-mailx");
        Assert.Equal(["exim", "mailx", "other-mailx", "root"], Resolve(u).Names());
    }

    [Fact]
    public void Forced_conflict_fails_naming_both_sides()
    {
        var u = Build("Package: root\nEssential: yes\nDepends: a", "Package: other\nEssential: yes", "Package: a\nConflicts: other");
        var e = Assert.Throws<ResolutionException>(() => Resolve(u));
        Assert.Equal("root 1.0-1 depends on a, but a 1.0-1 conflicts with other 1.0-1 (Conflicts: other), which is selected as " +
                     "Essential: yes (chain: root). Include or exclude packages to change the choice, or fix the sources.", e.Message);
        Assert.Equal(ExitCodes.ResolutionFailed, e.ExitCode);
    }

    [Fact]
    public void Conflicting_seeds_fail()
    {
        var u = Build("Package: base\nEssential: yes", "Package: tool\nBreaks: base");
        var e = Assert.Throws<ResolutionException>(() => Resolve(u, include: ["tool"]));
        Assert.Equal("cannot install tool 1.0-1 (requested (include)): tool 1.0-1 breaks with base 1.0-1 (Breaks: base), " +
                     "which is selected as Essential: yes; exclude one of them", e.Message);
    }

    [Fact]
    public void Exclude_drops_a_seed_and_steers_alternatives()
    {
        var u = Build("Package: base\nEssential: yes\nDepends: a | b", "Package: req\nPriority: required",
            "Package: a", "Package: b", "Package: apt");
        Assert.Equal(["apt", "b", "base"], Resolve(u, DebianVariant.Minbase, exclude: ["req", "a"]).Names());
    }

    [Fact]
    public void Exclude_of_a_hard_dependency_fails()
    {
        var u = Build("Package: base\nEssential: yes\nDepends: libc", "Package: libc");
        var e = Assert.Throws<ResolutionException>(() => Resolve(u, exclude: ["libc"]));
        Assert.StartsWith("base 1.0-1 depends on libc, but libc is excluded (chain: base)", e.Message);
    }

    [Fact]
    public void Included_and_excluded_fails()
    {
        var u = Build("Package: base\nEssential: yes", "Package: tool");
        var e = Assert.Throws<ResolutionException>(() => Resolve(u, include: ["tool"], exclude: ["tool"]));
        Assert.Equal("package 'tool' is both included and excluded; remove it from one of the lists", e.Message);
    }

    [Fact]
    public void Missing_include_names_the_package()
    {
        var u = Build("Package: base\nEssential: yes");
        var e = Assert.Throws<ResolutionException>(() => Resolve(u, include: ["nosuch"]));
        Assert.Equal("package 'nosuch' requested by include is not in any source; check the name, the suites and the components", e.Message);
    }

    [Fact]
    public void Virtual_include_with_one_provider_installs_it_with_several_fails()
    {
        var u = Build("Package: base\nEssential: yes", "Package: mawk\nProvides: awk", "Package: gawk\nProvides: awk, gnu-awk");
        Assert.Equal(["base", "gawk"], Resolve(u, include: ["gnu-awk"]).Names());
        var e = Assert.Throws<ResolutionException>(() => Resolve(u, include: ["awk"]));
        Assert.Equal("package 'awk' requested by include is a virtual package provided by gawk, mawk; include one of them instead", e.Message);
    }

    [Fact]
    public void Too_old_dependency_says_which_version_is_available_with_the_chain()
    {
        var u = Build("Package: apt\nPriority: important\nDepends: libapt", "Package: base\nEssential: yes",
            "Package: libapt\nDepends: libfoo (>= 2)", "Package: libfoo\nVersion: 1.5");
        var e = Assert.Throws<ResolutionException>(() => Resolve(u, DebianVariant.Apt));
        Assert.StartsWith("apt 1.0-1 depends on libapt, but libapt 1.0-1 depends on libfoo (>= 2), which cannot be met " +
                          "(only libfoo 1.5 is available) (chain: apt)", e.Message);
    }

    [Fact]
    public void Unsatisfiable_deep_dependency_reports_the_full_chain()
    {
        var u = Build("Package: base\nEssential: yes\nDepends: a | b", "Package: a\nDepends: c",
            "Package: c\nPre-Depends: d", "Package: d\nDepends: e (>= 2)", "Package: e\nVersion: 1.5", "Package: b");
        // a's own dependency (c) exists, so apt's one-level look-ahead picks a; like apt there is no backtracking
        // to b when c's pre-dependency d turns out to need a missing version.
        var e = Assert.Throws<ResolutionException>(() => Resolve(u));
        Assert.StartsWith("c 1.0-1 pre-depends on d, but d 1.0-1 depends on e (>= 2), which cannot be met " +
                          "(only e 1.5 is available) (chain: base -> a -> c)", e.Message);
    }
}
