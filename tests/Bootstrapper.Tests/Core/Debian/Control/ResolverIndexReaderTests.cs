using Bootstrapper.Core.Debian.Control;
using Bootstrapper.Core.Debian.Resolution;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Tests.Core.Debian.Control;

/// <summary>The fast Packages reader must read exactly what the general deb822 parser reads.</summary>
public sealed class ResolverIndexReaderTests
{
    private const string Text =
        "# comment before the first stanza\r\n" +
        "Package: a\r\nVersion: 1:2.0-1\r\nArchitecture: amd64\r\nDepends: b (>= 1),\r\n c | d\r\nFilename: pool/a.deb\r\n" +
        "Size: 10\r\nDescription: first line\r\n continued\r\n .\r\n more\r\nPRIORITY: required\r\nSection:  admin \r\n" +
        "\r\n   \r\n" +
        "Package: b\nVersion: 1.0\nArchitecture: all\nProvides: x (= 1), y\nFilename: pool/b.deb\nSize: 5\nEssential: yes\n" +
        "Multi-Arch: foreign\nSHA256: ABCD\n";

    [Fact]
    public void Fast_reader_matches_deb822_parse()
    {
        var universe = PackageUniverse.Build([new PackagesIndex(Text, "http://127.0.0.1:1/", "t")], "amd64");
        var viaDeb822 = Deb822.Parse(Text, DebianPackage.Fields.Contains, "t")
            .Select(p => DebianPackage.FromParagraph(p, "http://127.0.0.1:1/", "t")).ToList();
        Assert.Equal(2, viaDeb822.Count);
        foreach (var expected in viaDeb822)
        {
            var actual = universe.Find(expected.Name)!;
            Assert.Equal(Describe(expected), Describe(actual));
        }
        Assert.Equal("b (>= 1), c | d", string.Join(", ", universe.Find("a")!.Depends));
        Assert.Equal(PackagePriority.Required, universe.Find("a")!.Priority);
        Assert.Equal("admin", universe.Find("a")!.Section);
    }

    [Fact]
    public void UTF8_bytes_read_like_text()
    {
        // Non-ASCII in kept fields (a Source and a Section) and an invalid UTF-8 byte in a skipped one.
        var text = Text + "\nPackage: c\nVersion: 2\nArchitecture: amd64\nSource: caf\u00e9 (1)\nSection: \u00fcber\n" +
                   "Filename: pool/c.deb\nSize: 7\nRecommends: a, z\n";
        var bytes = System.Text.Encoding.UTF8.GetBytes(text).Concat("Maintainer: \xff\n"u8.ToArray()).ToArray();
        var fromText = PackageUniverse.Build([new PackagesIndex(text, "http://127.0.0.1:1/", "t")], "amd64");
        var fromBytes = PackageUniverse.Build([new PackagesIndex(bytes, "http://127.0.0.1:1/", "t")], "amd64");
        Assert.Equal(fromText.Packages.Select(Describe).Order(), fromBytes.Packages.Select(Describe).Order());
        Assert.Equal("caf\u00e9", fromBytes.Find("c")!.Source);
        Assert.Equal("\u00fcber", fromBytes.Find("c")!.Section);
        Assert.Equal(fromText.AptCacheRank("z"), fromBytes.AptCacheRank("z"));
        Assert.True(fromBytes.AptCacheRank("z") > fromBytes.AptCacheRank("c"));
    }

    [Fact]
    public void Continuation_outside_a_stanza_is_reported_with_the_line()
    {
        var e = Assert.Throws<ResolutionException>(() =>
            PackageUniverse.Build([new PackagesIndex("Package: a\nVersion: 1\nArchitecture: all\nFilename: a.deb\nSize: 1\n\n continued\n", "u", "bookworm/main amd64")], "amd64"));
        Assert.Equal("Packages index bookworm/main amd64 is malformed: bookworm/main amd64:7: continuation line outside a field", e.Message);
    }

    private static string Describe(DebianPackage p) =>
        string.Join("|", p.Name, p.Version, p.Architecture, p.MultiArch, p.Essential, p.Important, p.Priority, p.PriorityText,
            p.Section, p.Filename, p.Size, p.Sha256, p.Source, p.SourceVersion, p.InstalledSizeKiB, p.Line,
            string.Join(",", p.Provides), string.Join(",", p.Depends), string.Join(",", p.PreDepends),
            string.Join(",", p.Conflicts), string.Join(",", p.Breaks));
}
