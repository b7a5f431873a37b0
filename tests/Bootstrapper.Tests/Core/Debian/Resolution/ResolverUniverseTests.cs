using Bootstrapper.Core.Debian.Control;
using Bootstrapper.Core.Debian.Resolution;
using Bootstrapper.Core.Errors;
using static Bootstrapper.Tests.Core.Debian.Resolution.ResolverTestUniverse;

namespace Bootstrapper.Tests.Core.Debian.Resolution;

/// <summary>Merging several indices into one universe, and reading stanzas into <see cref="DebianPackage"/>.</summary>
public sealed class ResolverUniverseTests
{
    [Fact]
    public void Highest_version_wins_across_indices_first_index_on_a_tie()
    {
        var u = Build([
            Index("bookworm", "Package: a\nVersion: 1.0-1", "Package: b\nVersion: 2.0", "Package: c\nVersion: 1"),
            Index("bookworm-security", "Package: a\nVersion: 1.0-1+deb12u1", "Package: b\nVersion: 2.0~rc1", "Package: c\nVersion: 1.0"),
        ]);
        Assert.Equal("1.0-1+deb12u1", u.Find("a")!.Version.Text);
        Assert.Equal("bookworm-security", u.Find("a")!.IndexName);
        Assert.Equal("2.0", u.Find("b")!.Version.Text);
        Assert.Equal("bookworm-security", u.Find("c")!.IndexName); // "1" < "1.0": the '.' outranks the end
    }

    [Fact]
    public void Equal_versions_keep_the_first_index()
    {
        var u = Build([Index("first", "Package: a\nVersion: 1.0"), Index("second", "Package: a\nVersion: 1.0")]);
        Assert.Equal("first", u.Find("a")!.IndexName);
    }

    [Fact]
    public void Foreign_architectures_are_ignored_all_is_kept()
    {
        var u = Build("Package: a\nArchitecture: i386", "Package: b\nArchitecture: all", "Package: c");
        Assert.Null(u.Find("a"));
        Assert.NotNull(u.Find("b"));
        Assert.Equal(3, u.StanzaCount);
        Assert.Equal(2, u.Packages.Count);
    }

    [Fact]
    public void Providers_are_indexed_with_their_versions()
    {
        var u = Build("Package: a\nProvides: x (= 1.0), y", "Package: b\nProvides: x");
        Assert.Equal(["a", "b"], u.ProvidersOf("x").Select(p => p.Package.Name).Order());
        Assert.Equal("1.0", u.ProvidersOf("x").Single(p => p.Package.Name == "a").Provided.Version!.Text);
        Assert.Empty(u.ProvidersOf("z"));
    }

    [Fact]
    public void Stanza_is_read_into_the_model()
    {
        var u = Build("Package: libc6\nSource: glibc (2.36-9)\nVersion: 2.36-9+deb12u4\nArchitecture: amd64\n" +
                      "Multi-Arch: same\nPriority: optional\nSection: libs\nInstalled-Size: 12985\n" +
                      "Depends: libgcc-s1\nBreaks: hurd (<< 1:0.9.git20220301-2)\nSHA256: 0123ABC\n" +
                      "Filename: pool/main/g/glibc/libc6_2.36-9+deb12u4_amd64.deb\nSize: 2757936\n" +
                      "Description: GNU C Library: Shared libraries\n Contains the standard libraries.");
        var p = u.Find("libc6")!;
        Assert.Equal("glibc", p.Source);
        Assert.Equal("2.36-9", p.SourceVersion);
        Assert.Equal(MultiArch.Same, p.MultiArch);
        Assert.Equal(PackagePriority.Optional, p.Priority);
        Assert.Equal("libs", p.Section);
        Assert.Equal(12985, p.InstalledSizeKiB);
        Assert.Equal("0123abc", p.Sha256);
        Assert.Equal(2757936, p.Size);
        Assert.False(p.Essential);
        Assert.Equal("libgcc-s1", p.Depends.Single().ToString());
        Assert.Equal("hurd (<< 1:0.9.git20220301-2)", p.Breaks.Single().ToString());
        Assert.Empty(p.PreDepends);
    }

    [Fact]
    public void Missing_field_names_index_line_and_package()
    {
        var index = new PackagesIndex("Package: a\nVersion: 1\nArchitecture: amd64\nSize: 1\n\n" +
                                      "Package: b\nVersion: 1\nArchitecture: amd64\nSize: 1\n", Mirror, "bookworm/main amd64");
        var e = Assert.Throws<ResolutionException>(() => PackageUniverse.Build([index], "amd64"));
        Assert.Equal("bookworm/main amd64:1: package 'a' has no Filename field; the index is malformed, refresh it or fix the repository", e.Message);
    }

    [Fact]
    public void Bad_version_names_index_line_and_package()
    {
        var u = () => Build("Package: x\nVersion: 1.0_beta");
        var e = Assert.Throws<ResolutionException>(u);
        Assert.Equal("test:1: package 'x' has an invalid Version '1.0_beta': invalid character in version number", e.Message);
    }

    [Fact]
    public void Malformed_depends_is_reported_when_used()
    {
        var u = Build("Package: x\nEssential: yes\nDepends: libc (>= )");
        var e = Assert.Throws<ResolutionException>(() => Resolve(u));
        Assert.StartsWith("test:1: package 'x' has a malformed Depends field: bad version '' on 'libc'", e.Message);
    }
}
