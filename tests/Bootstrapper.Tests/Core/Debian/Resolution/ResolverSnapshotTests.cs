using System.Text;
using Bootstrapper.Core.Debian.Control;
using Bootstrapper.Core.Debian.Resolution;
using Bootstrapper.Core.Errors;
using static Bootstrapper.Tests.Core.Debian.Resolution.ResolverTestUniverse;

namespace Bootstrapper.Tests.Core.Debian.Resolution;

/// <summary>
/// Reading indices in concurrent runs, and restoring a universe from its snapshot, must give exactly the universe
/// one sequential read gives: same candidates, fields, lines, cache order and providers.
/// </summary>
public sealed class ResolverSnapshotTests
{
    private static readonly PackagesIndex Main = Index("bookworm/main",
        "Package: root\nEssential: yes\nPriority: required\nDepends: libc6 (>= 2.36), www-browser\nRecommends: late, other:any",
        "Package: libc6\nVersion: 2.36-9\nMulti-Arch: same\nPriority: optional\nSource: glibc (2.36-9)\nSHA256: ABCDEF\nInstalled-Size: 12985",
        "Package: b-browser\nPriority: optional\nProvides: www-browser (= 1.0), x-www-browser",
        "Package: a-browser\nPriority: optional\nProvides: www-browser, tools:any\nDepends: libc6,\n  libgcc-s1 [amd64]\nSection: web",
        "Package: foreign\nArchitecture: i386",
        "Package: important\nImportant: yes\nPriority: important\nConflicts: a-browser\nBreaks: b-browser (<< 2)",
        "Package: late\nMulti-Arch: foreign\nPre-Depends: early-name | other-name\nEnhances: root",
        "Package: updated\nVersion: 1.0-1");
    private static readonly PackagesIndex Updates = Index("bookworm-updates/main",
        "Package: updated\nVersion: 1.0-2\nDepends: newcomer",
        "Package: libc6\nVersion: 2.36-8",
        "Package: libgcc-s1\nVersion: 12.2.0-14");

    private static string Describe(DebianPackage p) =>
        string.Join("|", p.Name, p.Version, p.Architecture, p.MultiArch, p.Essential, p.Important, p.Priority, p.PriorityText,
            p.Section, p.Filename, p.Size, p.Sha256, p.Source, p.SourceVersion, p.InstalledSizeKiB, p.Line, p.IndexName,
            p.RepositoryUrl, p.PinPriority, string.Join(",", p.Provides), string.Join(",", p.Depends),
            string.Join(",", p.PreDepends), string.Join(",", p.Conflicts), string.Join(",", p.Breaks));

    private static readonly string[] Names =
        ["root", "libc6", "www-browser", "late", "other", "b-browser", "x-www-browser", "a-browser", "tools", "libgcc-s1",
         "foreign", "important", "early-name", "other-name", "updated", "newcomer", "missing"];

    private static void AssertSame(PackageUniverse expected, PackageUniverse actual)
    {
        Assert.Equal(expected.Packages.Select(Describe), actual.Packages.Select(Describe));
        Assert.Equal(expected.StanzaCount, actual.StanzaCount);
        foreach (var name in Names)
        {
            Assert.Equal(expected.AptCacheRank(name), actual.AptCacheRank(name));
            Assert.Equal(expected.Find(name) is { } p ? Describe(p) : null, actual.Find(name) is { } q ? Describe(q) : null);
            Assert.Equal(expected.ProvidersOf(name).Select(x => $"{x.Package.Name}:{x.Provided}"),
                actual.ProvidersOf(name).Select(x => $"{x.Package.Name}:{x.Provided}"));
        }
        Assert.Equal(Resolve(expected).Names(), Resolve(actual).Names());
    }

    [Fact]
    public void Reading_in_runs_gives_the_sequential_universe()
    {
        var sequential = PackageUniverse.Build([Main, Updates], "amd64", runsPerIndex: 1, minimumRunBytes: int.MaxValue);
        // Runs as small as one stanza: every run boundary falls between stanzas of this test.
        var inRuns = PackageUniverse.Build([Main, Updates], "amd64", runsPerIndex: 8, minimumRunBytes: 1);
        AssertSame(sequential, inRuns);
        Assert.Equal("1.0-2", inRuns.Find("updated")!.Version.Text);
        Assert.Equal("2.36-9", inRuns.Find("libc6")!.Version.Text);
        Assert.True(inRuns.AptCacheRank("late") < inRuns.AptCacheRank("b-browser"));
        Assert.Equal(-1, inRuns.AptCacheRank("other")); // only mentioned as other:any
        Assert.True(inRuns.AptCacheRank("newcomer") > inRuns.AptCacheRank("other-name"));
    }

    [Fact]
    public void An_error_in_a_later_run_is_the_one_a_sequential_read_reports()
    {
        var text = Encoding.UTF8.GetString(Main.Utf8.Span.IsEmpty ? Encoding.UTF8.GetBytes(Main.Text) : Main.Utf8.ToArray());
        var broken = new PackagesIndex(text + "Package: bad\nVersion: 1.0_x\nArchitecture: all\nFilename: f\nSize: 1\n\n" +
                                       "Package: worse\nVersion: 1\n continued\nbroken line\n", Mirror, "t");
        var sequential = Assert.Throws<ResolutionException>(() => PackageUniverse.Build([broken], "amd64", 1, int.MaxValue));
        var inRuns = Assert.Throws<ResolutionException>(() => PackageUniverse.Build([broken], "amd64", 8, 1));
        Assert.Equal(sequential.Message, inRuns.Message);
        Assert.StartsWith("t:", sequential.Message);
        Assert.Contains("package 'bad' has an invalid Version '1.0_x'", sequential.Message);
    }

    [Fact]
    public void Snapshot_restores_the_same_universe()
    {
        var built = PackageUniverse.Build([Main, Updates], "amd64");
        var restored = PackageUniverse.FromSnapshot(built.ToSnapshot(), [Main, Updates], "amd64");
        Assert.NotNull(restored);
        AssertSame(built, restored);
    }

    [Fact]
    public void Snapshot_of_other_indices_or_damaged_is_not_used()
    {
        var snapshot = PackageUniverse.Build([Main, Updates], "amd64").ToSnapshot();
        Assert.Null(PackageUniverse.FromSnapshot(snapshot, [Main, Updates], "arm64"));
        Assert.Null(PackageUniverse.FromSnapshot(snapshot, [Main], "amd64"));
        Assert.Null(PackageUniverse.FromSnapshot(snapshot, [Updates, Main], "amd64"));
        Assert.Null(PackageUniverse.FromSnapshot(snapshot, [Main, Updates with { PinPriority = 100 }], "amd64"));
        Assert.Null(PackageUniverse.FromSnapshot(snapshot.AsSpan(0, snapshot.Length - 1), [Main, Updates], "amd64"));
        Assert.Null(PackageUniverse.FromSnapshot([], [Main, Updates], "amd64"));
        for (int i = 0; i < snapshot.Length; i += 97)
        {
            var damaged = (byte[])snapshot.Clone();
            damaged[i] ^= 0x10;
            Assert.Null(PackageUniverse.FromSnapshot(damaged, [Main, Updates], "amd64"));
        }
    }
}
