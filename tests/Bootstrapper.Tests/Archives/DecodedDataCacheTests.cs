using Bootstrapper.Engine.Archives;
using Bootstrapper.Engine.Debian;

namespace Bootstrapper.Tests.Archives;

/// <summary>The decoded-data copy beside a cached .deb: made by the first extraction, used by the next, never trusted blindly.</summary>
public sealed class DecodedDataCacheTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private string BuildDeb()
    {
        string pkg = _temp.Sub("pkg");
        Directory.CreateDirectory(Path.Combine(pkg, "DEBIAN"));
        File.WriteAllText(Path.Combine(pkg, "DEBIAN/control"),
            "Package: demo\nVersion: 1\nArchitecture: all\nMaintainer: T <t@example.org>\nDescription: d\n");
        Directory.CreateDirectory(Path.Combine(pkg, "usr/share/demo"));
        File.WriteAllText(Path.Combine(pkg, "usr/share/demo/big"), string.Concat(Enumerable.Range(0, 20000).Select(i => $"line {i}\n")));
        File.WriteAllText(Path.Combine(pkg, "usr/share/demo/small"), "small\n");
        Sh.Run("find", pkg, "-exec", "touch", "-h", "-d", "@1600000000", "{}", "+");
        string deb = Path.Combine(_temp.Sub("cache"), "demo.deb");
        Sh.Run("dpkg-deb", "-Zxz", "--root-owner-group", "--build", pkg, deb);
        return deb;
    }

    private List<string> ExtractTree(string deb, string name)
    {
        string root = _temp.Sub(name);
        new SafeDebExtractor().Extract(deb, root, "demo", CancellationToken.None);
        return TreeListing.Describe(root);
    }

    [Fact]
    public void A_recorded_copy_is_used_by_the_next_extraction_with_the_same_result()
    {
        string deb = BuildDeb();
        var first = ExtractTree(deb, "one");
        Assert.False(File.Exists(deb + DecodedDataCache.Suffix)); // extraction reads the .deb; copies are made aside
        DecodedDataCache.Record(deb, CancellationToken.None);
        Assert.True(File.Exists(deb + DecodedDataCache.Suffix));
        Assert.True(File.Exists(deb + DecodedDataCache.Suffix + DecodedDataCache.MacSuffix));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(deb)!, "*.part"));
        using (var copy = DecodedDataCache.TryOpen(deb)) Assert.NotNull(copy);

        var second = ExtractTree(deb, "two");
        Assert.Equal(first, second);
        // The copy is the data member, decoded.
        using var decoded = DecodedDataCache.TryOpen(deb)!;
        using var bytes = new MemoryStream();
        decoded.CopyTo(bytes);
        Assert.Equal(Sh.RunBytes("dpkg-deb", ["--fsys-tarfile", deb], []), bytes.ToArray());
    }

    [Fact]
    public void A_damaged_copy_is_discarded_and_the_deb_is_read_instead()
    {
        string deb = BuildDeb();
        var first = ExtractTree(deb, "one");
        DecodedDataCache.Record(deb, CancellationToken.None);
        var copy = deb + DecodedDataCache.Suffix;
        var bytes = File.ReadAllBytes(copy);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(copy, bytes);

        Assert.Null(DecodedDataCache.TryOpen(deb));
        Assert.False(File.Exists(copy));
        Assert.Equal(first, ExtractTree(deb, "two"));
        DecodedDataCache.Record(deb, CancellationToken.None);
        Assert.True(File.Exists(copy)); // made again from the .deb
        Assert.Equal(first, ExtractTree(deb, "three"));
    }

    [Fact]
    public void A_cancelled_recording_keeps_nothing()
    {
        string deb = BuildDeb();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => DecodedDataCache.Record(deb, cts.Token));
        Assert.False(File.Exists(deb + DecodedDataCache.Suffix));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(deb)!, "*.part"));
    }

    [Fact]
    public void The_repacked_deb_for_dpkg_is_the_same_with_or_without_the_copy()
    {
        string deb = BuildDeb();
        string without = Path.Combine(_temp.Path, "without.deb"), with = Path.Combine(_temp.Path, "with.deb");
        DebRepack.WithUncompressedData(deb, without, "demo");
        Assert.True(File.Exists(deb + DecodedDataCache.Suffix)); // repacking keeps a copy too
        DebRepack.WithUncompressedData(deb, with, "demo");
        Assert.Equal(File.ReadAllBytes(without), File.ReadAllBytes(with));
    }


    [Fact]
    public void A_copy_forged_by_whoever_can_write_the_cache_is_refused()
    {
        string deb = BuildDeb();
        var genuine = ExtractTree(deb, "one");
        DecodedDataCache.Record(deb, CancellationToken.None);
        var copy = deb + DecodedDataCache.Suffix;

        // The attacker swaps in another tar and "signs" it: a plain SHA-256, and an HMAC under a key of their own.
        var forged = new MemoryStream();
        using (var z = new ZstdSharp.CompressionStream(forged, 1, leaveOpen: true))
            z.Write(System.Text.Encoding.ASCII.GetBytes(new string('\0', 10240)));
        File.WriteAllBytes(copy, forged.ToArray());
        foreach (var mac in new[]
                 {
                     Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(forged.ToArray())),
                     Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(new byte[32], forged.ToArray())),
                 })
        {
            File.WriteAllBytes(copy, forged.ToArray());
            File.WriteAllText(copy + DecodedDataCache.MacSuffix, mac + "\n");
            Assert.Null(DecodedDataCache.TryOpen(deb));
            Assert.False(File.Exists(copy));
        }
        Assert.Equal(genuine, ExtractTree(deb, "two")); // read from the .deb again
    }

    [Fact]
    public void The_key_lives_outside_the_cache_and_only_its_owner_can_read_it()
    {
        string deb = BuildDeb();
        DecodedDataCache.Record(deb, CancellationToken.None);
        var key = DecodedDataCache.KeyPath!;
        Assert.True(File.Exists(key));
        Assert.False(key.StartsWith(Path.GetDirectoryName(deb)!, StringComparison.Ordinal));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        Assert.Equal(32, new FileInfo(key).Length);
    }
}
