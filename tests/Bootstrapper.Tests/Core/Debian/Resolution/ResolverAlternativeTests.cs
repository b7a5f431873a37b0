using Bootstrapper.Core.Errors;
using static Bootstrapper.Tests.Core.Debian.Resolution.ResolverTestUniverse;

namespace Bootstrapper.Tests.Core.Debian.Resolution;

/// <summary>How an alternative group or a virtual name becomes one package, as apt chooses on a fresh system.</summary>
public sealed class ResolverAlternativeTests
{
    [Fact]
    public void First_satisfiable_alternative_wins()
    {
        var u = Build("Package: root\nEssential: yes\nDepends: missing | tooold (>= 2) | second | third",
            "Package: tooold\nVersion: 1.5", "Package: second", "Package: third");
        Assert.Equal(["root", "second"], Resolve(u).Names());
    }

    [Fact]
    public void Alternative_already_selected_is_preferred_over_the_first()
    {
        // 'b' is a seed (Essential), so 'a | b' needs nothing more, even though 'a' comes first.
        var u = Build("Package: root\nEssential: yes\nDepends: a | b", "Package: a", "Package: b\nEssential: yes");
        Assert.Equal(["b", "root"], Resolve(u).Names());
    }

    [Fact]
    public void Alternative_selected_earlier_as_dependency_is_reused()
    {
        var u = Build("Package: r1\nEssential: yes\nDepends: b", "Package: r2\nEssential: yes\nDepends: a | b",
            "Package: a", "Package: b");
        Assert.Equal(["b", "r1", "r2"], Resolve(u).Names());
    }

    [Fact]
    public void Virtual_package_goes_to_the_provider_with_the_highest_priority()
    {
        var u = Build("Package: base\nEssential: yes\nPre-Depends: awk",
            "Package: gawk\nPriority: optional\nProvides: awk",
            "Package: original-awk\nPriority: extra\nProvides: awk",
            "Package: mawk\nPriority: required\nProvides: awk");
        Assert.Equal(["base", "mawk"], Resolve(u).Names());
    }

    [Fact]
    public void Provider_ranking_prefers_the_real_package_then_important_then_priority()
    {
        var u = Build("Package: root\nEssential: yes\nDepends: x, y",
            "Package: x\nPriority: optional", "Package: xprov\nPriority: required\nProvides: x",
            "Package: yimp\nPriority: optional\nImportant: yes\nProvides: y", "Package: yreq\nPriority: required\nProvides: y");
        Assert.Equal(["root", "x", "yimp"], Resolve(u).Names());
    }

    [Fact]
    public void Versioned_dependency_is_only_met_by_a_versioned_provides()
    {
        var u = Build("Package: root\nEssential: yes\nDepends: foo (>= 2)",
            "Package: plain\nProvides: foo",
            "Package: old\nProvides: foo (= 1.0)",
            "Package: new\nProvides: foo (= 2.1)");
        Assert.Equal(["new", "root"], Resolve(u).Names());
    }

    [Fact]
    public void Unversioned_dependency_is_met_by_any_provider()
    {
        var u = Build("Package: root\nEssential: yes\nDepends: foo", "Package: prov\nProvides: foo (= 1.0)");
        Assert.Equal(["prov", "root"], Resolve(u).Names());
    }

    [Fact]
    public void Usr_is_merged_is_preferred_when_requested_usrmerge_otherwise()
    {
        var u = Build("Package: init-system-helpers\nEssential: yes\nDepends: usrmerge | usr-is-merged",
            "Package: usrmerge\nDepends: perl", "Package: perl", "Package: usr-is-merged\nVersion: 37~deb12u1\nArchitecture: all");
        Assert.Equal(["init-system-helpers", "usr-is-merged"], Resolve(u).Names());
        Assert.Equal(["init-system-helpers", "perl", "usrmerge"], Resolve(u, preferUsrIsMerged: false).Names());
    }

    [Fact]
    public void Alternative_whose_own_dependency_cannot_be_met_is_skipped()
    {
        var u = Build("Package: root\nEssential: yes\nDepends: a | b", "Package: a\nDepends: nowhere", "Package: b");
        Assert.Equal(["b", "root"], Resolve(u).Names());
    }

    [Fact]
    public void Pre_Depends_are_followed_and_cycles_end()
    {
        var u = Build("Package: a\nEssential: yes\nPre-Depends: b", "Package: b\nDepends: c", "Package: c\nDepends: a, b");
        Assert.Equal(["a", "b", "c"], Resolve(u).Names());
    }

    [Fact]
    public void Architecture_restrictions_and_qualifiers_are_honoured()
    {
        var u = Build("Package: root\nEssential: yes\nDepends: onlyi386 [i386], notamd64 [!amd64], linuxonly [linux-any], perl:any, libx:amd64",
            "Package: onlyi386", "Package: notamd64", "Package: linuxonly",
            "Package: perl\nMulti-Arch: allowed", "Package: libx\nArchitecture: all");
        Assert.Equal(["libx", "linuxonly", "perl", "root"], Resolve(u).Names());
    }

    [Fact]
    public void Any_qualifier_needs_multi_arch_allowed()
    {
        var u = Build("Package: root\nEssential: yes\nDepends: perl:any", "Package: perl");
        var e = Assert.Throws<ResolutionException>(() => Resolve(u));
        Assert.Contains("depends on perl:any, but perl 1.0-1 (amd64, Multi-Arch: no) does not satisfy the qualifier :any", e.Message);
    }
}
