using Bootstrapper.Core.Alpine.Package;
using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Archives;
using Bootstrapper.Engine.Families.Debian.Deb;
using Bootstrapper.Tests.Engine.Pipeline;
using Bootstrapper.Tests.Fixtures.Alpine;

namespace Bootstrapper.Tests.Engine.Archives;

/// <summary>
/// Decompression bombs against each place a package's contents are written or held: the safe extractor, the .deb
/// prepared for dpkg's own unpack, and an .apk inflated in memory. Each stops at the package's limit (twice its
/// Installed-Size plus 64 MiB) with a message naming the package, the limit and where it stopped.
/// </summary>
public sealed class UnpackLimitTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private const string Advice = "Its Installed-Size is wrong or the package is hostile (a decompression bomb); nothing of it is kept.";

    [Fact]
    public void The_deb_handed_to_dpkg_stops_at_the_limit_and_is_removed()
    {
        var source = Path.Combine(_temp.Sub("cache"), "bomb.deb");
        File.WriteAllBytes(source, TestDebs.Bomb("bomb", "1.0", 1L << 30, installedKiB: 1));
        var destination = Path.Combine(_temp.Sub("root"), "bomb.deb");

        var e = Assert.Throws<InstallException>(() => DebRepack.WithUncompressedData(source, destination, "package 'bomb' 1.0"));

        // The tar stream is counted as it is decoded (1 MiB copies): the first copy past 64 MiB + 2 KiB stops it.
        Assert.Equal("package 'bomb' 1.0 unpacks to more than its limit of 64.0 MiB (2 x Installed-Size 1.0 KiB + " +
                     $"64.0 MiB): stopped at 65.0 MiB in its data member. {Advice}", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_temp.Path, "root")));
        Assert.Equal([source], Directory.EnumerateFileSystemEntries(Path.Combine(_temp.Path, "cache")));
    }

    [Fact]
    public void Without_an_installed_size_the_limit_follows_the_package_file()
    {
        // No Installed-Size: 32 times the .deb plus 64 MiB, still far below what 1 GiB of zeros needs.
        var bomb = TestDebs.Bomb("bomb", "1.0", 1L << 30, installedKiB: -1);
        var root = _temp.Sub("root");
        using var deb = DebArchive.Open(new MemoryStream(bomb), "package 'bomb' 1.0");
        var limit = deb.Control.UnpackLimit(bomb.Length);
        var e = Assert.Throws<InstallException>(() =>
            new SafeExtractor(root, new ExtractOptions { Limit = limit }).Extract(deb));

        Assert.StartsWith("package 'bomb' 1.0 unpacks to more than its limit of ", e.Message);
        Assert.Contains("(no usable Installed-Size: 32 x the package file's ", e.Message);
        Assert.InRange(new FileInfo(Path.Combine(root, "zeros")).Length, limit.Bytes - (256 << 10) - 2048, limit.Bytes);
    }

    [Fact]
    public void An_apk_stops_inflating_at_the_limit_of_its_index_entry()
    {
        var signer = new FixtureSigner();
        var (file, info) = ApkFixtures.BuildApk(new FixturePackage
        {
            Name = "bomb",
            Files = [FixtureEntry.File("zeros", new byte[100 << 20])],
        }, signer);

        var e = Assert.Throws<InstallException>(() =>
            ApkPackageFile.Verify(file, signer.Keyring(), info with { InstalledSize = 1024 }, "bomb.apk"));

        Assert.Equal("bomb-1.0-r0 (bomb.apk) unpacks to more than its limit of 64.0 MiB (2 x Installed-Size 1.0 KiB + " +
                     $"64.0 MiB): stopped at 64.1 MiB in gzip member 3. {Advice}", e.Message);
    }
}
