using Bootstrapper.Engine.Families.Debian.Deb;
using Bootstrapper.Tests.Engine.Archives;

namespace Bootstrapper.Tests.Engine.Families.Debian.Deb;

/// <summary>The decoded-data copy beside a cached .deb: made by the first extraction, used by the next, never trusted blindly.</summary>
public sealed class DecodedDataCacheTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>A .deb of package <paramref name="package"/> at cache/FILE (its files differ by package and version).</summary>
    private string BuildDeb(string package = "demo", string version = "1", string file = "demo.deb")
    {
        string pkg = _temp.Sub($"pkg-{package}-{version}");
        Directory.CreateDirectory(Path.Combine(pkg, "DEBIAN"));
        File.WriteAllText(Path.Combine(pkg, "DEBIAN/control"),
            $"Package: {package}\nVersion: {version}\nArchitecture: all\nMaintainer: T <t@example.org>\nDescription: d\n");
        Directory.CreateDirectory(Path.Combine(pkg, $"usr/share/{package}"));
        File.WriteAllText(Path.Combine(pkg, $"usr/share/{package}/big"),
            string.Concat(Enumerable.Range(0, 20000).Select(i => $"{package} {version} line {i}\n")));
        File.WriteAllText(Path.Combine(pkg, $"usr/share/{package}/small"), $"small {version}\n");
        Sh.Run("find", pkg, "-exec", "touch", "-h", "-d", "@1600000000", "{}", "+");
        string deb = Path.Combine(_temp.Sub("cache"), file);
        Sh.Run("dpkg-deb", "-Zxz", "--root-owner-group", "--build", pkg, deb);
        return deb;
    }

    /// <summary>The .deb's SHA-256, as the signed index gives it (the fetcher checked the file against it).</summary>
    private static string Sha(string deb) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(deb)));

    /// <summary>Extracts as a build does: the decoded copy when one is bound to this .deb's SHA-256.</summary>
    private List<string> ExtractTree(string deb, string name) => ExtractTree(deb, name, Sha(deb));

    private List<string> ExtractTree(string deb, string name, string? sha)
    {
        string root = _temp.Sub(name);
        new SafeDebExtractor().Extract(deb, root, "demo", CancellationToken.None, out _, debSha256: sha);
        return TreeListing.Describe(root);
    }

    /// <summary>The sentinel: the tree the .deb itself gives, no copy involved.</summary>
    private List<string> TreeOfTheDebItself(string deb, string name) => ExtractTree(deb, name, sha: null);

    private static void Record(string deb) => DecodedDataCache.Record(deb, Sha(deb), CancellationToken.None);

    private static void CopyCopyAndMac(string fromDeb, string toDeb)
    {
        File.Copy(fromDeb + DecodedDataCache.Suffix, toDeb + DecodedDataCache.Suffix, overwrite: true);
        File.Copy(fromDeb + DecodedDataCache.Suffix + DecodedDataCache.MacSuffix,
            toDeb + DecodedDataCache.Suffix + DecodedDataCache.MacSuffix, overwrite: true);
    }

    [Fact]
    public void A_recorded_copy_is_used_by_the_next_extraction_with_the_same_result()
    {
        string deb = BuildDeb();
        // Extracting from the .deb keeps what it decodes as the copy; Record then has nothing left to do.
        var first = ExtractTree(deb, "one");
        Assert.True(File.Exists(deb + DecodedDataCache.Suffix));
        var made = File.GetLastWriteTimeUtc(deb + DecodedDataCache.Suffix);
        Record(deb);
        Assert.Equal(made, File.GetLastWriteTimeUtc(deb + DecodedDataCache.Suffix));
        Assert.True(File.Exists(deb + DecodedDataCache.Suffix + DecodedDataCache.MacSuffix));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(deb)!, "*.part"));
        using (var copy = DecodedDataCache.TryOpen(deb, Sha(deb))) Assert.NotNull(copy);

        var second = ExtractTree(deb, "two");
        Assert.Equal(first, second);
        // The copy is the data member, decoded.
        using var decoded = DecodedDataCache.TryOpen(deb, Sha(deb))!;
        using var bytes = new MemoryStream();
        decoded.CopyTo(bytes);
        Assert.Equal(Sh.RunBytes("dpkg-deb", ["--fsys-tarfile", deb], []), bytes.ToArray());
    }

    [Fact]
    public void A_damaged_copy_is_discarded_and_the_deb_is_read_instead()
    {
        string deb = BuildDeb();
        var first = ExtractTree(deb, "one");
        Record(deb);
        var copy = deb + DecodedDataCache.Suffix;
        var bytes = File.ReadAllBytes(copy);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(copy, bytes);

        Assert.Null(DecodedDataCache.TryOpen(deb, Sha(deb)));
        Assert.False(File.Exists(copy));
        Assert.Equal(first, ExtractTree(deb, "two"));
        Record(deb);
        Assert.True(File.Exists(copy)); // made again from the .deb
        Assert.Equal(first, ExtractTree(deb, "three"));
    }

    [Fact]
    public void A_cancelled_recording_keeps_nothing()
    {
        string deb = BuildDeb();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => DecodedDataCache.Record(deb, Sha(deb), cts.Token));
        Assert.False(File.Exists(deb + DecodedDataCache.Suffix));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(deb)!, "*.part"));
    }

    [Fact]
    public void The_repacked_deb_for_dpkg_is_the_same_with_or_without_the_copy()
    {
        string deb = BuildDeb();
        string without = Path.Combine(_temp.Path, "without.deb"), with = Path.Combine(_temp.Path, "with.deb");
        DebRepack.WithUncompressedData(deb, without, "demo", Sha(deb));
        Assert.True(File.Exists(deb + DecodedDataCache.Suffix)); // repacking keeps a copy too
        DebRepack.WithUncompressedData(deb, with, "demo", Sha(deb));
        Assert.Equal(File.ReadAllBytes(without), File.ReadAllBytes(with));
    }

    [Fact]
    public void A_copy_forged_by_whoever_can_write_the_cache_is_refused()
    {
        string deb = BuildDeb();
        var genuine = ExtractTree(deb, "one");
        Record(deb);
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
            Assert.Null(DecodedDataCache.TryOpen(deb, Sha(deb)));
            Assert.False(File.Exists(copy));
        }
        Assert.Equal(genuine, ExtractTree(deb, "two")); // read from the .deb again
    }

    [Fact]
    public void The_key_lives_outside_the_cache_and_only_its_owner_can_read_it()
    {
        string deb = BuildDeb();
        Record(deb);
        var key = DecodedDataCache.KeyPath!;
        Assert.True(File.Exists(key));
        Assert.False(key.StartsWith(Path.GetDirectoryName(deb)!, StringComparison.Ordinal));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        Assert.Equal(32, new FileInfo(key).Length);
    }

    [Fact]
    public void Another_packages_copy_and_mac_moved_beside_a_deb_are_refused_and_the_debs_own_files_are_installed()
    {
        // Issue 10, point 4: both copies are genuine (made by this user's builds, MACs under the real key); the
        // attacker, who can write the cache, puts "login"'s copy and MAC in the place of "passwd"'s.
        string login = BuildDeb("login", file: "login.deb"), passwd = BuildDeb("passwd", file: "passwd.deb");
        Record(login);
        Record(passwd);
        var genuine = TreeOfTheDebItself(passwd, "sentinel");
        Assert.NotEqual(TreeOfTheDebItself(login, "other"), genuine);
        CopyCopyAndMac(login, passwd);

        Assert.Equal(genuine, ExtractTree(passwd, "extracted"));
        // The swapped copy was rejected and deleted; the one there now was made from passwd.deb by that extraction.
        using (var remade = DecodedDataCache.TryOpen(passwd, Sha(passwd))!)
        using (var bytes = new MemoryStream())
        {
            remade.CopyTo(bytes);
            Assert.Equal(Sh.RunBytes("dpkg-deb", ["--fsys-tarfile", passwd], []), bytes.ToArray());
        }

        // The .deb dpkg gets is the one the .deb itself gives too (and the copy is made again on the way).
        CopyCopyAndMac(login, passwd);
        string fromSwapped = Path.Combine(_temp.Path, "swapped.deb"), fromDeb = Path.Combine(_temp.Path, "plain.deb");
        DebRepack.WithUncompressedData(passwd, fromSwapped, "passwd", Sha(passwd));
        DebRepack.WithUncompressedData(passwd, fromDeb, "passwd", sourceSha256: null);
        Assert.Equal(File.ReadAllBytes(fromDeb), File.ReadAllBytes(fromSwapped));
        Assert.Equal(genuine, ExtractTree(passwd, "remade")); // from the copy made again from passwd.deb
        Assert.True(File.Exists(passwd + DecodedDataCache.Suffix));
    }

    [Fact]
    public void An_older_copy_put_back_beside_a_newer_deb_of_the_same_name_is_refused()
    {
        string deb = BuildDeb(version: "1");
        Record(deb);
        string saved = _temp.Sub("saved");
        CopyCopyAndMac(deb, Path.Combine(saved, "demo.deb"));
        // The same file name now holds another .deb (the name is not what the MAC trusts), and its copy is made.
        DecodedDataCache.Discard(deb);
        File.Copy(BuildDeb(version: "2", file: "demo-2.deb"), deb, overwrite: true);
        Record(deb);
        var genuine = TreeOfTheDebItself(deb, "sentinel");

        CopyCopyAndMac(Path.Combine(saved, "demo.deb"), deb); // the replay
        Assert.Null(DecodedDataCache.TryOpen(deb, Sha(deb)));
        Assert.False(File.Exists(deb + DecodedDataCache.Suffix));
        CopyCopyAndMac(Path.Combine(saved, "demo.deb"), deb);
        Assert.Equal(genuine, ExtractTree(deb, "extracted"));
    }

    [Fact]
    public void A_copy_whose_mac_covers_only_its_bytes_the_first_format_is_made_again()
    {
        string deb = BuildDeb();
        Record(deb);
        var copy = deb + DecodedDataCache.Suffix;
        var key = File.ReadAllBytes(DecodedDataCache.KeyPath!);
        File.WriteAllText(copy + DecodedDataCache.MacSuffix,
            Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(key, File.ReadAllBytes(copy))) + "\n");

        Assert.Null(DecodedDataCache.TryOpen(deb, Sha(deb)));
        Assert.False(File.Exists(copy));
        Record(deb);
        using var remade = DecodedDataCache.TryOpen(deb, Sha(deb));
        Assert.NotNull(remade);
    }

    [Fact]
    public void Without_the_debs_sha256_no_copy_is_used_or_made()
    {
        string deb = BuildDeb();
        DecodedDataCache.Record(deb, debSha256: null, CancellationToken.None);
        Assert.False(File.Exists(deb + DecodedDataCache.Suffix));
        Record(deb);
        Assert.Null(DecodedDataCache.TryOpen(deb, debSha256: null));
        Assert.Null(DecodedDataCache.TryOpen(deb, "not a hash"));
        Assert.True(File.Exists(deb + DecodedDataCache.Suffix)); // not a reason to drop a good copy
    }
}
