using static Bootstrapper.Tests.Core.Debian.Resolution.ResolverTestUniverse;

namespace Bootstrapper.Tests.Core.Debian.Resolution;

/// <summary>apt's last tie-break between equally ranked providers: the package its cache created last.</summary>
public sealed class ResolverCacheOrderTests
{
    [Fact]
    public void Tied_providers_the_package_mentioned_last_wins()
    {
        var u = Build("Package: root\nEssential: yes\nDepends: www-browser",
            "Package: b-browser\nPriority: optional\nProvides: www-browser",
            "Package: a-browser\nPriority: optional\nProvides: www-browser");
        Assert.Equal(["a-browser", "root"], Resolve(u).Names());
    }

    [Fact]
    public void An_earlier_relation_mention_creates_the_package_earlier()
    {
        // 'late' is mentioned (Suggests) in the first stanza, so apt's cache created it before 'early'.
        var u = Build("Package: root\nEssential: yes\nDepends: www-browser\nSuggests: late",
            "Package: early\nPriority: optional\nProvides: www-browser",
            "Package: late\nPriority: optional\nProvides: www-browser");
        Assert.Equal(["early", "root"], Resolve(u).Names());
        Assert.True(u.AptCacheRank("late") < u.AptCacheRank("early"));
    }

    [Fact]
    public void Any_qualified_mention_does_not_create_the_package()
    {
        var u = Build("Package: root\nEssential: yes\nDepends: www-browser\nRecommends: late:any",
            "Package: early\nPriority: optional\nProvides: www-browser",
            "Package: late\nPriority: optional\nProvides: www-browser");
        Assert.Equal(["late", "root"], Resolve(u).Names());
    }

    [Fact]
    public void Priority_still_beats_cache_order()
    {
        var u = Build("Package: root\nEssential: yes\nDepends: www-browser",
            "Package: b-browser\nPriority: standard\nProvides: www-browser",
            "Package: a-browser\nPriority: optional\nProvides: www-browser");
        Assert.Equal(["b-browser", "root"], Resolve(u).Names());
    }
}
