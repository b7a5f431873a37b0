using Bootstrapper.Core.Errors;
using static Bootstrapper.Tests.Debian.ResolverTestUniverse;

namespace Bootstrapper.Tests.Debian;

/// <summary>How an alternative group or a virtual name becomes one package, as apt chooses on a fresh system.</summary>
public sealed class ResolverAlternativeTests
{
    [Fact]
    public void FirstSatisfiableAlternative_Wins()
    {
        var u = Build("Package: root\nEssential: yes\nDepends: missing | tooold (>= 2) | second | third",
            "Package: tooold\nVersion: 1.5", "Package: second", "Package: third");
        Assert.Equal(["root", "second"], Resolve(u).Names());
    }

    [Fact]
    public void AlternativeAlreadySelected_IsPreferredOverTheFirst()
    {
        // 'b' is a seed (Essential), so 'a | b' needs nothing more, even though 'a' comes first.
        var u = Build("Package: root\nEssential: yes\nDepends: a | b", "Package: a", "Package: b\nEssential: yes");
        Assert.Equal(["b", "root"], Resolve(u).Names());
    }

    [Fact]
    public void AlternativeSelectedEarlierAsDependency_IsReused()
    {
        var u = Build("Package: r1\nEssential: yes\nDepends: b", "Package: r2\nEssential: yes\nDepends: a | b",
            "Package: a", "Package: b");
        Assert.Equal(["b", "r1", "r2"], Resolve(u).Names());
    }

    [Fact]
    public void VirtualPackage_GoesToTheProviderWithTheHighestPriority()
    {
        var u = Build("Package: base\nEssential: yes\nPre-Depends: awk",
            "Package: gawk\nPriority: optional\nProvides: awk",
            "Package: original-awk\nPriority: extra\nProvides: awk",
            "Package: mawk\nPriority: required\nProvides: awk");
        Assert.Equal(["base", "mawk"], Resolve(u).Names());
    }

    [Fact]
    public void ProviderRanking_PrefersTheRealPackageThenImportantThenPriority()
    {
        var u = Build("Package: root\nEssential: yes\nDepends: x, y",
            "Package: x\nPriority: optional", "Package: xprov\nPriority: required\nProvides: x",
            "Package: yimp\nPriority: optional\nImportant: yes\nProvides: y", "Package: yreq\nPriority: required\nProvides: y");
        Assert.Equal(["root", "x", "yimp"], Resolve(u).Names());
    }

    [Fact]
    public void VersionedDependency_IsOnlyMetByAVersionedProvides()
    {
        var u = Build("Package: root\nEssential: yes\nDepends: foo (>= 2)",
            "Package: plain\nProvides: foo",
            "Package: old\nProvides: foo (= 1.0)",
            "Package: new\nProvides: foo (= 2.1)");
        Assert.Equal(["new", "root"], Resolve(u).Names());
    }

    [Fact]
    public void UnversionedDependency_IsMetByAnyProvider()
    {
        var u = Build("Package: root\nEssential: yes\nDepends: foo", "Package: prov\nProvides: foo (= 1.0)");
        Assert.Equal(["prov", "root"], Resolve(u).Names());
    }

    [Fact]
    public void UsrIsMerged_IsPreferredWhenRequested_UsrmergeOtherwise()
    {
        var u = Build("Package: init-system-helpers\nEssential: yes\nDepends: usrmerge | usr-is-merged",
            "Package: usrmerge\nDepends: perl", "Package: perl", "Package: usr-is-merged\nVersion: 37~deb12u1\nArchitecture: all");
        Assert.Equal(["init-system-helpers", "usr-is-merged"], Resolve(u).Names());
        Assert.Equal(["init-system-helpers", "perl", "usrmerge"], Resolve(u, preferUsrIsMerged: false).Names());
    }

    [Fact]
    public void AlternativeWhoseOwnDependencyCannotBeMet_IsSkipped()
    {
        var u = Build("Package: root\nEssential: yes\nDepends: a | b", "Package: a\nDepends: nowhere", "Package: b");
        Assert.Equal(["b", "root"], Resolve(u).Names());
    }

    [Fact]
    public void PreDepends_AreFollowed_AndCyclesEnd()
    {
        var u = Build("Package: a\nEssential: yes\nPre-Depends: b", "Package: b\nDepends: c", "Package: c\nDepends: a, b");
        Assert.Equal(["a", "b", "c"], Resolve(u).Names());
    }

    [Fact]
    public void ArchitectureRestrictions_AndQualifiers_AreHonoured()
    {
        var u = Build("Package: root\nEssential: yes\nDepends: onlyi386 [i386], notamd64 [!amd64], linuxonly [linux-any], perl:any, libx:amd64",
            "Package: onlyi386", "Package: notamd64", "Package: linuxonly",
            "Package: perl\nMulti-Arch: allowed", "Package: libx\nArchitecture: all");
        Assert.Equal(["libx", "linuxonly", "perl", "root"], Resolve(u).Names());
    }

    [Fact]
    public void AnyQualifier_NeedsMultiArchAllowed()
    {
        var u = Build("Package: root\nEssential: yes\nDepends: perl:any", "Package: perl");
        var e = Assert.Throws<ResolutionException>(() => Resolve(u));
        Assert.Contains("depends on perl:any, but perl 1.0-1 (amd64, Multi-Arch: no) does not satisfy the qualifier :any", e.Message);
    }
}
