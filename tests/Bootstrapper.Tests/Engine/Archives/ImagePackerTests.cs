using System.Security.Cryptography;
using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Output;

namespace Bootstrapper.Tests.Engine.Archives;

public sealed class ImagePackerTests : IDisposable
{
    private const long Epoch = 1_750_000_000;
    private readonly TempDir _temp = new();
    private readonly string _root;
    private readonly string _out;

    public ImagePackerTests()
    {
        _root = _temp.Sub("root");
        _out = _temp.Sub("out");
        BuildTree();
    }

    public void Dispose() => _temp.Dispose();

    private string At(string relative) => Path.Combine(_root, relative);

    /// <summary>Every kind of entry an image holds; mtimes fixed, one of them after SOURCE_DATE_EPOCH.</summary>
    private void BuildTree()
    {
        foreach (var d in new[] { "etc", "usr/bin", "usr/lib", "var/mail", "private", "dev", "usr/share/ünïcödé" })
            Directory.CreateDirectory(At(d));
        File.WriteAllText(At("etc/hostname"), "image\n");
        File.WriteAllText(At("usr/bin/su"), "su binary");
        Sh.Run("chmod", "4755", At("usr/bin/su"));
        File.WriteAllText(At("usr/bin/ping"), "ping binary");
        File.WriteAllText(At("usr/lib/a"), "shared inode");
        Sh.Run("ln", At("usr/lib/a"), At("usr/lib/b"));
        Sh.Run("ln", At("usr/lib/a"), At("etc/c"));
        File.WriteAllText(At("var/mail/user"), "mail");
        Sh.Run("chown", "1000:8", At("var/mail/user"));
        Sh.Run("chmod", "0660", At("var/mail/user"));
        Sh.Run("chmod", "2775", At("var/mail"));
        Sh.Run("chmod", "0700", At("private"));
        string deep = "usr/share/" + new string('d', 110) + "/" + new string('f', 60);
        Directory.CreateDirectory(Path.GetDirectoryName(At(deep))!);
        File.WriteAllText(At(deep), "deep");
        File.WriteAllBytes(At("usr/lib/big"), Enumerable.Range(0, 70_000).Select(i => (byte)(i * 7)).ToArray());
        File.WriteAllText(At("usr/share/ünïcödé/fïle"), "utf-8 names");
        File.CreateSymbolicLink(At("bin"), "usr/bin");
        File.CreateSymbolicLink(At("usr/lib/long-link"), "/" + new string('t', 150));
        Sh.Run("mknod", "-m", "666", At("dev/null"), "c", "1", "3");
        Sh.Run("mknod", "-m", "660", At("dev/loop0"), "b", "7", "0");
        Sh.Run("mkfifo", "-m", "600", At("dev/initctl"));
        // Names and link targets at the 100-byte edge of the ustar fields ("./" + name, "/" after directories).
        File.WriteAllText(At(new string('a', 98)), "");
        File.WriteAllText(At(new string('b', 99)), "");
        Directory.CreateDirectory(At(new string('e', 97)));
        Directory.CreateDirectory(At(new string('g', 98)));
        File.CreateSymbolicLink(At("edge-link"), new string('t', 100));
        File.CreateSymbolicLink(At("edge-link2"), new string('u', 101));
        // Numbers that do not fit the octal fields: GNU tar switches to base-256, and so must we.
        File.WriteAllText(At("usr/lib/big-ids"), "owner beyond 07777777");
        Sh.Run("chown", "3000000:3000001", At("usr/lib/big-ids"));
        Sh.Run("find", _root, "-exec", "touch", "-h", "-d", "@1700000000", "{}", "+");
        Sh.Run("touch", "-h", "-d", "@1800000000", At("etc/hostname"));
        Sh.Run("touch", "-h", "-d", "@-1000", At("usr/lib/big-ids"));
    }

    private PackResult Pack(string name, PackOptions? options = null) =>
        ImagePacker.Pack(_root, Path.Combine(_out, name), options ?? new PackOptions { SourceDateEpoch = Epoch });

    [Fact]
    public void Output_is_reproducible_and_byte_identical_to_GNU_tar()
    {
        var first = Pack("one.tar");
        var second = Pack("two.tar");
        byte[] bytes = File.ReadAllBytes(first.Path);
        Assert.Equal(bytes, File.ReadAllBytes(second.Path));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), first.Sha256);
        Assert.Equal(bytes.Length, first.Bytes);

        // The same options spelled for GNU tar: sorted, numeric owners, GNU format, clamped mtimes.
        string gnu = Path.Combine(_out, "gnu.tar");
        Sh.Run("tar", "--format=gnu", "--sort=name", "--numeric-owner", $"--mtime=@{Epoch}", "--clamp-mtime",
            "-cf", gnu, "-C", _root, ".");
        Assert.Equal(File.ReadAllBytes(gnu), bytes);
    }

    [Fact]
    public void Tar_lists_links_devices_owners_and_clamped_times()
    {
        var result = Pack("image.tar");
        string listing = Sh.Run("tar", "--numeric-owner", "--full-time", "-tvf", result.Path);
        Assert.Matches(@"hrw-r--r-- 0/0 +0 [-0-9]+ [:0-9]+ \./usr/lib/a link to \./etc/c", listing);
        Assert.Contains("./usr/lib/b link to ./etc/c", listing);
        Assert.Matches(@"crw-rw-rw- 0/0 +1,3 .* \./dev/null", listing);
        Assert.Matches(@"brw-rw---- 0/0 +7,0 .* \./dev/loop0", listing);
        Assert.Matches(@"prw------- 0/0 .* \./dev/initctl", listing);
        Assert.Matches(@"-rwsr-xr-x 0/0 .* \./usr/bin/su", listing);
        Assert.Matches(@"drwxrwsr-x 0/0 .* \./var/mail/", listing);
        Assert.Matches(@"-rw-rw---- 1000/8 .* \./var/mail/user", listing);
        Assert.Contains("./bin -> usr/bin", listing);
        Assert.Contains("./usr/lib/long-link -> /" + new string('t', 150), listing);
        Assert.Equal(result.Entries, listing.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        // Clamping: hostname (1800000000) shows the epoch, the rest keep 1700000000.
        string times = Sh.Run("python3", "-c",
            "import tarfile,sys; t=tarfile.open(sys.argv[1]); print(sorted(set(m.mtime for m in t)))", result.Path);
        Assert.Equal("[-1000, 1700000000, 1750000000]", times.Trim());
        Assert.Matches(@"-rw-r--r-- 3000000/3000001 .* \./usr/lib/big-ids", listing);
    }

    [Fact]
    public void Binary_capability_xattr_survives_GNU_tar_and_python()
    {
        Sh.Run("setcap", "cap_net_raw+ep", At("usr/bin/ping"));
        // With a name over 100 bytes the pax header also carries "path" (no GNU long-name entry in between).
        string deep = Directory.EnumerateFiles(At("usr/share"), "fff*", SearchOption.AllDirectories).Single();
        Sh.Run("setcap", "cap_sys_time+ep", deep);
        var first = Pack("caps.tar");
        Assert.Equal(File.ReadAllBytes(first.Path), File.ReadAllBytes(Pack("caps2.tar").Path));

        string restored = _temp.Sub("restored");
        Sh.Run("tar", "--xattrs", "--xattrs-include=*", "-xpf", first.Path, "-C", restored);
        Assert.Contains("cap_net_raw=ep", Sh.Run("getcap", Path.Combine(restored, "usr/bin/ping")));
        Assert.Contains("cap_sys_time=ep", Sh.Run("getcap", Path.Combine(restored, Path.GetRelativePath(_root, deep))));
        Assert.Equal(TreeListing.Describe(_root), TreeListing.Describe(restored).Select(l => l.Replace(" 1750000000 ", " 1800000000 ")));

        // Python reads every entry and the raw 20-byte vfs_cap_data (v2) value.
        string python = Sh.Run("python3", "-c", """
            import tarfile, sys
            t = tarfile.open(sys.argv[1])
            m = t.getmember('./usr/bin/ping')
            v = m.pax_headers['SCHILY.xattr.security.capability'].encode('utf-8', 'surrogateescape')
            d = t.getmember('./' + sys.argv[2])
            assert 'SCHILY.xattr.security.capability' in d.pax_headers
            print(len(t.getmembers()), len(v), v[:4].hex())
            """, first.Path, Path.GetRelativePath(_root, deep));
        var fields = python.Trim().Split(' ');
        Assert.Equal(first.Entries.ToString(), fields[0]);
        Assert.Equal("20", fields[1]);
        Assert.Equal("01000002", fields[2]); // VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE, little-endian
    }

    [Theory]
    [InlineData("image.tar.gz", "gzip")]
    [InlineData("image.tar.zst", "zstd")]
    [InlineData("image.tar.xz", "xz")]
    public void Compressed_images_hold_the_same_tar_whatever_the_threads(string name, string tool)
    {
        var tar = Pack("image.tar");
        byte[] plain = File.ReadAllBytes(tar.Path);
        Assert.Equal(tar.Sha256, tar.TarSha256);
        var one = Pack(name, new PackOptions { SourceDateEpoch = Epoch, Threads = 1 });
        Assert.Equal(tar.Sha256, one.TarSha256); // the layer digest does not depend on the compression
        byte[] compressed = File.ReadAllBytes(one.Path);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(compressed)), one.Sha256);
        Assert.Equal(plain, Sh.RunBytes(tool, ["-dc"], compressed));
        var two = ImagePacker.Pack(_root, Path.Combine(_out, "2-" + name), new PackOptions { SourceDateEpoch = Epoch, Threads = 2 });
        Assert.Equal(one.Sha256, two.Sha256);
    }

    [Fact]
    public void Pack_reports_the_tar_bytes_the_compressor_took_and_the_estimate_is_close()
    {
        File.WriteAllBytes(At("usr/lib/large"), RandomNumberGenerator.GetBytes(3 << 20)); // several 1 MiB blocks
        File.CreateSymbolicLink(At("usr/lib/here"), "."); // a walk that follows links counts usr/lib again and again
        var reported = new List<long>();
        Pack("image.tar.xz", new PackOptions { SourceDateEpoch = Epoch, Progress = n => { lock (reported) reported.Add(n); } });
        var tarBytes = new FileInfo(Pack("image.tar").Path).Length;
        Assert.True(reported.Count >= 3, $"{reported.Count} reports");
        Assert.Equal(reported.Order(), reported);
        Assert.Equal(tarBytes, reported[^1]);
        // The bar's end: within a few percent of the tar (long names and links add header blocks it does not count).
        Assert.InRange(ImagePacker.EstimateTarBytes(_root), tarBytes * 0.9, tarBytes * 1.05);
    }

    [Theory]
    [InlineData("image.tar.gz", 1, 9)]
    [InlineData("image.tar.zst", 1, 19)]
    [InlineData("image.tar.xz", 0, 9)]
    public void Levels_are_the_formats_own_numbers(string name, int fast, int small)
    {
        File.Copy("/usr/bin/dpkg", At("usr/lib/real-binary")); // realistic data: synthetic text can invert levels
        var quick = Pack("q-" + name, new PackOptions { SourceDateEpoch = Epoch, Level = fast });
        var tight = Pack("t-" + name, new PackOptions { SourceDateEpoch = Epoch, Level = small });
        Assert.Equal(quick.TarSha256, tight.TarSha256);
        Assert.True(tight.Bytes < quick.Bytes, $"level {small} ({tight.Bytes} bytes) should beat level {fast} ({quick.Bytes})");
    }

    [Fact]
    public void Interrupted_pack_leaves_no_file_and_keeps_the_previous_output()
    {
        // A 1 GiB sparse file takes seconds to gzip, so the cancellation lands in the middle of the stream.
        using (var sparse = File.Create(At("usr/lib/huge"))) sparse.SetLength(1L << 30);
        string output = Path.Combine(_out, "image.tar.gz");
        File.WriteAllText(output, "previous image");
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        Assert.ThrowsAny<OperationCanceledException>(() =>
            ImagePacker.Pack(_root, output, new PackOptions { SourceDateEpoch = Epoch }, cts.Token));
        Assert.Equal(["image.tar.gz"], Directory.EnumerateFileSystemEntries(_out).Select(Path.GetFileName));
        Assert.Equal("previous image", File.ReadAllText(output));
    }

    [Fact]
    public void Unknown_output_extension_is_a_recipe_error()
    {
        var e = Assert.Throws<RecipeException>(() => ImagePacker.Pack(_root, Path.Combine(_out, "image.zip")));
        Assert.Equal($"output '{Path.Combine(_out, "image.zip")}': unknown image format; name it .tar, .tar.gz, .tar.zst or .tar.xz (a tar for docker import), .oci.tar or .oci (an OCI image layout)",
            e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_out));
    }

    [Fact]
    public void Name_that_is_not_UTF8_is_reported_not_dropped()
    {
        Sh.Run("python3", "-c", "import os,sys; open(os.path.join(sys.argv[1].encode(), b'bad-\\xff'), 'w').close()", At("etc"));
        var e = Assert.Throws<InstallException>(() => Pack("image.tar"));
        Assert.Contains("its name is not valid UTF-8", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_out));
    }
}
