using static Bootstrapper.Tests.Debian.ResolverTestUniverse;

namespace Bootstrapper.Tests.Debian;

/// <summary>apt's last tie-break between equally ranked providers: the package its cache created last.</summary>
public sealed class ResolverCacheOrderTests
{
    [Fact]
    public void TiedProviders_ThePackageMentionedLastWins()
    {
        var u = Build("Package: root\nEssential: yes\nDepends: www-browser",
            "Package: b-browser\nPriority: optional\nProvides: www-browser",
            "Package: a-browser\nPriority: optional\nProvides: www-browser");
        Assert.Equal(["a-browser", "root"], Resolve(u).Names());
    }

    [Fact]
    public void AnEarlierRelationMention_CreatesThePackageEarlier()
    {
        // 'late' is mentioned (Suggests) in the first stanza, so apt's cache created it before 'early'.
        var u = Build("Package: root\nEssential: yes\nDepends: www-browser\nSuggests: late",
            "Package: early\nPriority: optional\nProvides: www-browser",
            "Package: late\nPriority: optional\nProvides: www-browser");
        Assert.Equal(["early", "root"], Resolve(u).Names());
        Assert.True(u.AptCacheRank("late") < u.AptCacheRank("early"));
    }

    [Fact]
    public void AnyQualifiedMention_DoesNotCreateThePackage()
    {
        var u = Build("Package: root\nEssential: yes\nDepends: www-browser\nRecommends: late:any",
            "Package: early\nPriority: optional\nProvides: www-browser",
            "Package: late\nPriority: optional\nProvides: www-browser");
        Assert.Equal(["late", "root"], Resolve(u).Names());
    }

    [Fact]
    public void PriorityStillBeatsCacheOrder()
    {
        var u = Build("Package: root\nEssential: yes\nDepends: www-browser",
            "Package: b-browser\nPriority: standard\nProvides: www-browser",
            "Package: a-browser\nPriority: optional\nProvides: www-browser");
        Assert.Equal(["b-browser", "root"], Resolve(u).Names());
    }
}
