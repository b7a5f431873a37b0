using Bootstrapper.Core.Errors;
using static Bootstrapper.Tests.Core.Debian.Resolution.ResolverTestUniverse;

namespace Bootstrapper.Tests.Core.Debian.Resolution;

/// <summary>
/// A dependency pulled in earlier that blocks a later forced choice is set aside, as apt un-marks it and its
/// problem resolver picks another alternative (bookworm: pulseaudio | pipewire-pulse vs pipewire-audio).
/// </summary>
public sealed class ResolverSetAsideTests
{
    [Fact]
    public void Conflicting_earlier_dependency_is_replaced_by_the_next_alternative()
    {
        var u = Build("Package: root\nEssential: yes\nDepends: indicator, gnome",
            "Package: indicator\nDepends: pulseaudio | pipewire-pulse", "Package: gnome\nDepends: pipewire-audio",
            "Package: pipewire-audio\nConflicts: pulseaudio", "Package: pulseaudio", "Package: pipewire-pulse");
        var resolution = Resolve(u);
        Assert.Equal(["gnome", "indicator", "pipewire-audio", "pipewire-pulse", "root"], resolution.Names());
        Assert.Equal("dependency of indicator (Depends: pulseaudio | pipewire-pulse)",
            resolution.Packages.Single(p => p.Package.Name == "pipewire-pulse").Reason);
    }

    [Fact]
    public void Conflict_with_a_requested_package_is_not_set_aside()
    {
        var u = Build("Package: base\nEssential: yes", "Package: gnome\nDepends: pipewire-audio",
            "Package: pipewire-audio\nConflicts: pulseaudio", "Package: pulseaudio");
        var e = Assert.Throws<ResolutionException>(() => Resolve(u, include: ["pulseaudio", "gnome"]));
        Assert.StartsWith("gnome 1.0-1 depends on pipewire-audio, but pipewire-audio 1.0-1 conflicts with pulseaudio 1.0-1 " +
                          "(Conflicts: pulseaudio), which is selected as requested (include) (chain: gnome)", e.Message);
    }

    [Fact]
    public void When_setting_aside_does_not_help_the_first_failure_is_reported()
    {
        // indicator needs pulseaudio itself, so no other alternative exists.
        var u = Build("Package: root\nEssential: yes\nDepends: indicator, gnome",
            "Package: indicator\nDepends: pulseaudio", "Package: gnome\nDepends: pipewire-audio",
            "Package: pipewire-audio\nConflicts: pulseaudio", "Package: pulseaudio");
        var e = Assert.Throws<ResolutionException>(() => Resolve(u));
        Assert.StartsWith("gnome 1.0-1 depends on pipewire-audio, but pipewire-audio 1.0-1 conflicts with pulseaudio 1.0-1 " +
                          "(Conflicts: pulseaudio), which is selected as dependency of indicator (Depends: pulseaudio) " +
                          "(chain: root -> gnome)", e.Message);
    }
}
