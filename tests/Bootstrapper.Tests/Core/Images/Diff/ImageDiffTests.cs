using System.Text.Json;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Images.Diff;
using Bootstrapper.Core.Images.Manifest;
using Bootstrapper.Tests.Fixtures;

namespace Bootstrapper.Tests.Core.Images.Diff;

public class ImageDiffTests
{
    internal static ManifestPackage Pkg(string name, string version, long size, string arch = "amd64", char sha = 'a') =>
        new() { Name = name, Version = version, Architecture = arch, Size = size, Sha256 = new string(sha, 64) };

    internal static ImageManifest Manifest(string imageSha, long imageSize, params ManifestPackage[] packages) => new()
    {
        Recipe = "debian-bookworm",
        Family = "debian",
        Architecture = "amd64",
        Image = new ImageFile("debian-bookworm.tar", imageSize, imageSha),
        Packages = packages,
    };

    private static readonly string Sha1 = "1f0e" + new string('1', 60);
    private static readonly string Sha2 = "9a4c" + new string('2', 60);

    private static ImageManifest Old() => Manifest(Sha1, 121_800_000,
        Pkg("base-files", "12.4+deb12u5", 70_828),
        Pkg("libc6", "2.36-9+deb12u9", 2_757_000),
        Pkg("libc6", "2.36-9+deb12u9", 2_700_000, "i386"),
        Pkg("mawk", "1.3.4.20200120-3.1", 130_000),
        Pkg("tzdata", "2025b-0+deb12u1", 260_000, "all"),
        Pkg("usrmerge", "37~deb12u1", 60_000, "all"),
        Pkg("zlib1g", "1:1.2.13.dfsg-1", 87_000));

    private static ImageManifest New() => Manifest(Sha2, 121_900_000,
        Pkg("base-files", "12.4+deb12u5", 70_828),
        Pkg("libc6", "2.36-9+deb12u10", 2_758_024),                 // u9 -> u10: an upgrade, not ordinal order
        Pkg("libc6", "2.36-9+deb12u9", 2_700_000, "i386"),
        Pkg("mawk", "1.3.4.20200120-3.1", 130_000, sha: 'b'),       // same version, other file
        Pkg("tzdata", "2025a-0+deb12u1", 259_000, "all"),           // downgrade
        Pkg("usr-is-merged", "37~deb12u1", 6_000, "all"),           // replaces usrmerge
        Pkg("zlib1g", "1:1.2.13.dfsg-1", 87_000));

    [Fact]
    public void Classifies_each_package_by_name_and_architecture_using_the_injected_order()
    {
        var diff = ImageDiff.Compare(Old(), New(), TestVersionOrder.Dpkg);
        var up = Assert.Single(diff.Upgraded);
        Assert.Equal(("libc6", "amd64", "2.36-9+deb12u9", "2.36-9+deb12u10"), (up.Name, up.Architecture, up.OldVersion, up.NewVersion));
        Assert.Equal(1024, up.SizeChange);
        var down = Assert.Single(diff.Downgraded);
        Assert.Equal(("tzdata", "2025b-0+deb12u1", "2025a-0+deb12u1"), (down.Name, down.OldVersion, down.NewVersion));
        var added = Assert.Single(diff.Added);
        Assert.Equal(("usr-is-merged", "all", null, "37~deb12u1", 0L, 6_000L),
            (added.Name, added.Architecture, added.OldVersion, added.NewVersion, added.OldSize, added.NewSize));
        var removed = Assert.Single(diff.Removed);
        Assert.Equal(("usrmerge", "37~deb12u1", null), (removed.Name, removed.OldVersion, removed.NewVersion));
        Assert.Equal("mawk", Assert.Single(diff.Rebuilt).Name);
        Assert.Equal(3, diff.Unchanged); // base-files, libc6:i386, zlib1g
        Assert.True(diff.HasChanges);
        Assert.True(diff.PackagesChanged);
        Assert.Equal(1024 - 1000 + 6_000 - 60_000, diff.PackageSizeChange);
        Assert.Equal(100_000, diff.ImageSizeChange);
    }

    [Fact]
    public void Ordinal_order_would_get_the_libc6_upgrade_wrong()
    {
        // Guards the test above: the injected order, not string order, decides.
        var diff = ImageDiff.Compare(Old(), New(), StringComparer.Ordinal.Compare);
        Assert.Contains(diff.Downgraded, c => c.Name == "libc6");
    }

    [Fact]
    public void Identical_manifests_have_no_changes_and_the_order_is_never_consulted()
    {
        var diff = ImageDiff.Compare(Old(), Old(), (_, _) => throw new InvalidOperationException("not needed"));
        Assert.False(diff.HasChanges);
        Assert.Equal(7, diff.Unchanged);
        Assert.Equal(0, diff.PackageSizeChange);
        Assert.Contains("No changes: same packages, same image SHA-256.", diff.ToText());
    }

    [Fact]
    public void Same_packages_but_another_image_is_a_change()
    {
        var diff = ImageDiff.Compare(Old(), Old() with { Image = new ImageFile("x.tar", 1, Sha2) }, TestVersionOrder.Dpkg);
        Assert.False(diff.PackagesChanged);
        Assert.True(diff.HasChanges);
        Assert.Contains("Same packages, but the image differs", diff.ToText());
    }

    [Fact]
    public void Versions_equal_in_the_family_order_but_spelt_differently_count_as_rebuilt()
    {
        var diff = ImageDiff.Compare(Manifest(Sha1, 1, Pkg("a", "1.0", 1)), Manifest(Sha1, 1, Pkg("a", "1.00", 1)),
            TestVersionOrder.Dpkg);
        Assert.Equal("1.00", Assert.Single(diff.Rebuilt).NewVersion);
    }

    [Fact]
    public void A_package_listed_twice_is_rejected()
    {
        var bad = Manifest(Sha1, 1, Pkg("a", "1", 1), Pkg("a", "2", 1));
        var e = Assert.Throws<RecipeException>(() => ImageDiff.Compare(Old(), bad, TestVersionOrder.Dpkg));
        Assert.StartsWith("the new manifest (recipe 'debian-bookworm', image debian-bookworm.tar) lists a:amd64 twice", e.Message);
    }

    [Fact]
    public void Text_rendering_aligns_columns_across_sections()
    {
        var expected = """
            old: debian-bookworm  debian-bookworm.tar  debian amd64  7 packages  116.2 MiB  sha256:1f0e11111111
            new: debian-bookworm  debian-bookworm.tar  debian amd64  7 packages  116.3 MiB  sha256:9a4c22222222
            Upgraded (1):
              libc6          amd64  2.36-9+deb12u9      ->  2.36-9+deb12u10     +1.0 KiB
            Downgraded (1):
              tzdata         all    2025b-0+deb12u1     ->  2025a-0+deb12u1     -1000 B
            Added (1):
              usr-is-merged  all    -                   ->  37~deb12u1          +5.9 KiB
            Removed (1):
              usrmerge       all    37~deb12u1          ->  -                   -58.6 KiB
            Rebuilt (same version, different file) (1):
              mawk           amd64  1.3.4.20200120-3.1  ->  1.3.4.20200120-3.1  0 B
            Unchanged: 3 packages
            Package files: 5.8 MiB -> 5.7 MiB (-52.7 KiB)
            Image:         116.2 MiB -> 116.3 MiB (+97.7 KiB)

            """;
        Assert.Equal(expected, ImageDiff.Compare(Old(), New(), TestVersionOrder.Dpkg).ToText());
    }

    [Fact]
    public void Json_rendering_has_a_fixed_shape()
    {
        var json = ImageDiff.Compare(Old(), New(), TestVersionOrder.Dpkg).ToJson();
        Assert.Contains("\"newVersion\": \"2.36-9+deb12u10\"", json); // '+' not escaped
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal(["format", "hasChanges", "packagesChanged", "old", "new", "upgraded", "downgraded", "added",
                "removed", "rebuilt", "indices", "unchanged", "packageSizeChange", "imageSizeChange", "files"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, root.GetProperty("format").GetInt32());
        Assert.True(root.GetProperty("hasChanges").GetBoolean());
        Assert.Equal(Sha2, root.GetProperty("new").GetProperty("image").GetProperty("sha256").GetString());
        Assert.Equal(7, root.GetProperty("old").GetProperty("packageCount").GetInt32());
        var added = root.GetProperty("added")[0];
        Assert.Equal(JsonValueKind.Null, added.GetProperty("oldVersion").ValueKind);
        Assert.Equal(6000, added.GetProperty("newSize").GetInt64());
        Assert.Equal(3, root.GetProperty("unchanged").GetInt32());
        Assert.Equal(-53_976, root.GetProperty("packageSizeChange").GetInt64());
        Assert.Equal(100_000, root.GetProperty("imageSizeChange").GetInt64());
    }

    [Fact]
    public void Json_of_an_unchanged_image_keeps_empty_arrays()
    {
        using var doc = JsonDocument.Parse(ImageDiff.Compare(Old(), Old(), TestVersionOrder.Dpkg).ToJson());
        Assert.False(doc.RootElement.GetProperty("hasChanges").GetBoolean());
        Assert.Equal(0, doc.RootElement.GetProperty("upgraded").GetArrayLength());
        Assert.Equal(0, doc.RootElement.GetProperty("rebuilt").GetArrayLength());
    }

    [Fact]
    public void Index_changes_are_reported_but_are_not_image_changes()
    {
        const string url = "http://127.0.0.1:8080/debian/dists/bookworm/InRelease";
        var old = Old() with { Indices = [new ManifestIndex(url, "bookworm", "Sat, 08 Mar 2025 10:00:00 UTC", ["AAAA"])] };
        var @new = Old() with { Indices = [new ManifestIndex(url, "bookworm", "Sat, 15 Mar 2025 10:00:00 UTC", ["AAAA"])] };
        var diff = ImageDiff.Compare(old, @new, TestVersionOrder.Dpkg);
        Assert.False(diff.HasChanges);
        var index = Assert.Single(diff.Indices);
        Assert.Equal(("bookworm", "Sat, 08 Mar 2025 10:00:00 UTC", "Sat, 15 Mar 2025 10:00:00 UTC", true),
            (index.Suite, index.OldDate, index.NewDate, index.StillUsed));
        Assert.Contains($"Index bookworm ({url}): Sat, 08 Mar 2025 10:00:00 UTC -> Sat, 15 Mar 2025 10:00:00 UTC\n", diff.ToText());
        using var doc = JsonDocument.Parse(diff.ToJson());
        Assert.Equal("Sat, 15 Mar 2025 10:00:00 UTC", doc.RootElement.GetProperty("indices")[0].GetProperty("newDate").GetString());
        // Same dates and signers (in another order): nothing to report.
        var two = old with { Indices = [new ManifestIndex(url, "bookworm", "Sat, 08 Mar 2025 10:00:00 UTC", ["AAAA", "BBBB"])] };
        var swapped = old with { Indices = [new ManifestIndex(url, "bookworm", "Sat, 08 Mar 2025 10:00:00 UTC", ["BBBB", "AAAA"])] };
        Assert.Empty(ImageDiff.Compare(two, swapped, TestVersionOrder.Dpkg).Indices);
        Assert.Single(ImageDiff.Compare(old, two, TestVersionOrder.Dpkg).Indices); // a signer added is reported
    }

    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(-300, "-300 B")]
    [InlineData(1024, "1.0 KiB")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(121_800_000, "116.2 MiB")]
    [InlineData(-5_000_000_000, "-4.7 GiB")]
    public void Sizes_use_binary_units(long bytes, string expected) => Assert.Equal(expected, ImageDiffText.Size(bytes));

    [Theory]
    [InlineData("2.36-9+deb12u10", "2.36-9+deb12u9", 1)]
    [InlineData("1.0~rc1", "1.0", -1)]
    [InlineData("1:0.9", "2.0", 1)]
    [InlineData("1.0a", "1.0+", -1)]
    [InlineData("1.0", "1.00", 0)]
    public void The_test_version_order_behaves_like_dpkg(string a, string b, int sign) =>
        Assert.Equal(sign, Math.Sign(TestVersionOrder.Dpkg(a, b)));
}
