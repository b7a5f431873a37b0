using Bootstrapper.Core.Debian.Control;

namespace Bootstrapper.Tests.Core.Debian.Resolution;

/// <summary>apt_preferences(5) pins: a NotAutomatic suite (backports) never wins over the release by version alone.</summary>
public sealed class ResolverPinTests
{
    [Fact]
    public void Higher_pin_wins_over_higher_version()
    {
        var backports = ResolverTestUniverse.Index("bookworm-backports", "Package: a\nVersion: 2.0") with
        {
            PinPriority = PackagesIndex.PinFromRelease(notAutomatic: true, butAutomaticUpgrades: true),
        };
        var u = ResolverTestUniverse.Build([ResolverTestUniverse.Index("bookworm", "Package: a\nVersion: 1.0", "Package: b\nVersion: 1.0"),
            backports, ResolverTestUniverse.Index("bookworm-backports-b", "Package: b\nVersion: 3.0") with { PinPriority = 1 }]);
        Assert.Equal("1.0", u.Find("a")!.Version.Text);
        Assert.Equal("1.0", u.Find("b")!.Version.Text);
        Assert.Equal(100, backports.PinPriority);
        Assert.Equal(500, PackagesIndex.PinFromRelease(false, false));
    }

    [Fact]
    public void Package_only_in_a_pinned_down_suite_is_still_a_candidate()
    {
        var u = ResolverTestUniverse.Build([ResolverTestUniverse.Index("bookworm", "Package: a"),
            ResolverTestUniverse.Index("bookworm-backports", "Package: newtool\nVersion: 5.0") with { PinPriority = 100 }]);
        Assert.Equal(100, u.Find("newtool")!.PinPriority);
    }
}
