using Bootstrapper.Core.Debian.Resolution;
using static Bootstrapper.Tests.Core.Debian.Resolution.ResolverTestUniverse;

namespace Bootstrapper.Tests.Core.Debian.Resolution;

/// <summary>Variant seeds as mmdebstrap(1) defines them, closed under Depends and Pre-Depends.</summary>
public sealed class ResolverVariantTests
{
    private static readonly PackageUniverse Universe = Build(
        "Package: base\nEssential: yes\nPriority: required\nPre-Depends: libc",
        "Package: libc\nPriority: optional",
        "Package: req\nPriority: required\nDepends: libreq",
        "Package: libreq\nPriority: optional",
        "Package: apt\nPriority: important\nDepends: libapt",
        "Package: libapt\nPriority: optional",
        "Package: imp\nPriority: important",
        "Package: std\nPriority: standard",
        "Package: build-essential\nPriority: optional\nDepends: gcc",
        "Package: gcc\nPriority: optional",
        "Package: opt\nPriority: optional\nDepends: libc");

    [Theory]
    [InlineData(nameof(DebianVariant.Essential), "base libc")]
    [InlineData(nameof(DebianVariant.Apt), "apt base libapt libc")]
    [InlineData(nameof(DebianVariant.Minbase), "apt base libapt libc libreq req")]
    [InlineData(nameof(DebianVariant.Buildd), "apt base build-essential gcc libapt libc libreq req")]
    [InlineData(nameof(DebianVariant.Important), "apt base imp libapt libc libreq req")]
    [InlineData(nameof(DebianVariant.Standard), "apt base imp libapt libc libreq req std")]
    public void Variant_selects_its_seeds_and_their_dependencies(string variant, string expected)
    {
        Assert.Equal(expected.Split(' '), Resolve(Universe, Enum.Parse<DebianVariant>(variant)).Names());
    }

    [Fact]
    public void Include_adds_packages_and_dependencies()
    {
        Assert.Equal(["base", "libc", "opt"], Resolve(Universe, include: ["opt"]).Names());
    }

    [Fact]
    public void Reasons_say_why_each_package_is_there()
    {
        var byName = Resolve(Universe, DebianVariant.Minbase, include: ["opt"]).Packages.ToDictionary(p => p.Package.Name);
        Assert.Equal("Essential: yes", byName["base"].Reason);
        Assert.Equal("Priority: required", byName["req"].Reason);
        Assert.Equal("requested by variant minbase", byName["apt"].Reason);
        Assert.Equal("requested (include)", byName["opt"].Reason);
        Assert.Equal("dependency of base (Pre-Depends: libc)", byName["libc"].Reason);
        Assert.Equal("base", byName["libc"].RequiredBy);
        Assert.Equal("dependency of apt (Depends: libapt)", byName["libapt"].Reason);
        Assert.Null(byName["apt"].RequiredBy);
    }

    [Fact]
    public void Order_is_essential_phase_then_the_rest_seeds_before_their_dependencies()
    {
        var order = Resolve(Universe, DebianVariant.Minbase).Packages.Select(p => p.Package.Name);
        Assert.Equal(["base", "libc", "req", "apt", "libreq", "libapt"], order);
    }

    [Fact]
    public void Variant_names_parse_like_mmdebstrap()
    {
        Assert.Equal(DebianVariant.Minbase, DebianVariants.TryParse("required"));
        Assert.Equal(DebianVariant.Buildd, DebianVariants.TryParse("buildd"));
        Assert.Null(DebianVariants.TryParse("fakechroot"));
        Assert.Equal("minbase", DebianVariant.Minbase.Name());
    }

    [Fact]
    public void Planned_packages_carry_file_size_hash_and_reason()
    {
        var universe = Build("Package: base\nEssential: yes\nPriority: required\nVersion: 1:2.0-3\nSize: 1234\n" +
                             "SHA256: ABCDEF\nFilename: pool/main/b/base/base_2.0-3_amd64.deb\nSource: base-src (2.0-2)");
        var planned = Assert.Single(Resolve(universe).ToPlannedPackages());
        Assert.Equal("base", planned.Name);
        Assert.Equal("1:2.0-3", planned.Version);
        Assert.Equal("amd64", planned.Architecture);
        Assert.Equal(1234, planned.Size);
        Assert.Equal("abcdef", planned.Sha256);
        Assert.Equal("pool/main/b/base/base_2.0-3_amd64.deb", planned.Filename);
        Assert.Equal(Mirror, planned.RepositoryUrl);
        Assert.Equal("Essential: yes", planned.Reason);
        Assert.Equal("base-src", planned.Source);
    }
}
