using System.Text;
using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Archives;
using Bootstrapper.Engine.Families.Debian.Deb;
using Bootstrapper.Tests.Engine.Archives;

namespace Bootstrapper.Tests.Engine.Families.Debian.Deb;

/// <summary>.debs built by dpkg-deb extract exactly as `dpkg-deb -x` extracts them.</summary>
public sealed class DebArchiveTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>A package tree with the awkward cases: hard links, setuid, owners, long names, empty files.</summary>
    private string BuildPackage(string compression)
    {
        string pkg = _temp.Sub("pkg");
        Directory.CreateDirectory(Path.Combine(pkg, "DEBIAN"));
        File.WriteAllText(Path.Combine(pkg, "DEBIAN/control"),
            "Package: demo\nVersion: 1.0-1\nArchitecture: all\nMaintainer: Test <test@example.org>\n" +
            "Description: test package\n several awkward members\n");
        File.WriteAllText(Path.Combine(pkg, "DEBIAN/postinst"), "#!/bin/sh\nexit 0\n");
        Sh.Run("chmod", "0755", Path.Combine(pkg, "DEBIAN/postinst"));
        File.WriteAllText(Path.Combine(pkg, "DEBIAN/conffiles"), "/etc/demo.conf\n");

        Write(pkg, "etc/demo.conf", "setting=1\n");
        Write(pkg, "usr/bin/tool", "#!/bin/sh\necho tool\n", "0755");
        Sh.Run("ln", Path.Combine(pkg, "usr/bin/tool"), Path.Combine(pkg, "usr/bin/tool-again"));
        Write(pkg, "usr/bin/suid", "suid", "4755");
        Sh.Run("ln", "-s", "tool", Path.Combine(pkg, "usr/bin/alias"));
        Sh.Run("ln", "-s", "/usr/share/doc/demo", Path.Combine(pkg, "usr/bin/absolute-link"));
        string longName = "usr/share/doc/demo/" + new string('n', 120) + "/" + new string('m', 90);
        Write(pkg, longName, "deep");
        Write(pkg, "usr/share/doc/demo/empty", "");
        Write(pkg, "var/lib/private/secret", "s", "0600");
        Sh.Run("chmod", "0700", Path.Combine(pkg, "var/lib/private"));
        Write(pkg, "var/mail/spool", "m", "0640");
        Sh.Run("chown", "1000:42", Path.Combine(pkg, "var/mail/spool"));
        Sh.Run("chmod", "2775", Path.Combine(pkg, "var/mail"));
        Write(pkg, "usr/lib/big.bin", new string('x', 300_000) + "end");
        Sh.Run("find", pkg, "-exec", "touch", "-h", "-d", "@1600000000", "{}", "+");

        string deb = Path.Combine(_temp.Path, $"demo-{compression}.deb");
        Sh.Run("dpkg-deb", $"-Z{compression}", "--build", pkg, deb);
        return deb;
    }

    private static void Write(string root, string relative, string content, string? mode = null)
    {
        string path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        if (mode is not null) Sh.Run("chmod", mode, path);
    }

    [Theory]
    [InlineData("xz")]
    [InlineData("gzip")]
    [InlineData("zstd")]
    [InlineData("none")]
    public void Repacked_with_an_uncompressed_data_member_dpkg_sees_the_same_package(string compression)
    {
        string deb = BuildPackage(compression);
        string repacked = Path.Combine(_temp.Path, $"repacked-{compression}.deb");
        DebRepack.WithUncompressedData(deb, repacked, "package 'demo' 1.0-1");

        var members = Sh.Run("ar", "t", repacked).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("debian-binary", members[0]);
        Assert.StartsWith("control.tar", members[1]);
        Assert.Equal("data.tar", members[2]);
        // dpkg-deb reads it, with the same control data, the same contents listing and the same file system tree.
        Assert.Equal(Sh.Run("dpkg-deb", "-I", deb, "control"), Sh.Run("dpkg-deb", "-I", repacked, "control"));
        Assert.Equal(Sh.Run("dpkg-deb", "-c", deb), Sh.Run("dpkg-deb", "-c", repacked));
        Assert.Equal(Sh.RunBytes("dpkg-deb", ["--fsys-tarfile", deb], []), Sh.RunBytes("dpkg-deb", ["--fsys-tarfile", repacked], []));
    }

    [Fact]
    public void Repacking_a_truncated_deb_fails_naming_the_package_and_leaves_no_file()
    {
        string deb = BuildPackage("xz");
        var bytes = File.ReadAllBytes(deb);
        string cut = Path.Combine(_temp.Path, "cut.deb");
        File.WriteAllBytes(cut, bytes[..(bytes.Length - 200)]);
        string repacked = Path.Combine(_temp.Path, "cut-repacked.deb");
        var e = Assert.Throws<InstallException>(() => DebRepack.WithUncompressedData(cut, repacked, "package 'demo' 1.0-1"));
        Assert.StartsWith("package 'demo' 1.0-1: cannot prepare the .deb for dpkg", e.Message);
        Assert.False(File.Exists(repacked));
    }

    [Theory]
    [InlineData("xz", true)]
    [InlineData("xz", false)]
    [InlineData("gzip", true)]
    [InlineData("zstd", true)]
    [InlineData("none", true)]
    public void Extracts_like_dpkg_deb(string compression, bool readAhead)
    {
        string deb = BuildPackage(compression);
        string ours = _temp.Sub("ours");
        string theirs = _temp.Sub("theirs");
        Sh.Run("dpkg-deb", "-x", deb, theirs);

        using var archive = DebArchive.OpenFile(deb, "package 'demo' 1.0-1");
        var result = new SafeExtractor(ours).Extract(archive, readAhead: readAhead);

        // GNU tar (behind dpkg-deb -x) creates hard links after restoring directory times, so the directory holding
        // them gets the current time; compare directories without mtimes and check ours against the archive.
        var expected = TreeListing.Describe(theirs, withDirectoryMtimes: false);
        Assert.Equal(expected, TreeListing.Describe(ours, withDirectoryMtimes: false));
        Assert.All(TreeListing.Describe(ours).Where(line => line.EndsWith(" dir")),
            line => Assert.Contains(" 1600000000 dir", line));
        Assert.True(expected.Count > 15);
        Assert.Contains(expected, line => line.Contains("hardlink-of"));
        // The .list order is the archive order: `tar -t` of the data member, "./x/" -> "/x", "./" -> "/.".
        string fsys = Path.Combine(_temp.Path, "fsys.tar");
        File.WriteAllBytes(fsys, Sh.RunBytes("dpkg-deb", ["--fsys-tarfile", deb], []));
        var listed = Sh.Run("tar", "-tf", fsys).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(name => name == "./" ? "/." : "/" + name[2..].TrimEnd('/'));
        Assert.Equal(listed, result.Paths);
        Assert.Equal(expected.Count + 1, result.Paths.Count);
    }

    [Fact]
    public void Reads_control_files()
    {
        using var archive = DebArchive.OpenFile(BuildPackage("xz"));
        Assert.Equal("2.0", archive.FormatVersion);
        Assert.Equal("demo", archive.Control.ParseControl()["Package"]);
        Assert.Equal("1.0-1", archive.Control.ParseControl()["Version"]);
        var postinst = archive.Control["postinst"]!;
        Assert.True(postinst.IsExecutable);
        Assert.Equal("#!/bin/sh\nexit 0\n", postinst.Text);
        Assert.Equal("/etc/demo.conf\n", archive.Control["conffiles"]!.Text);
        Assert.Null(archive.Control["preinst"]);
    }

    [Fact]
    public void Reads_hand_built_deb_with_bzip2_data_and_reserved_members()
    {
        byte[] control = new TarBuilder().Dir("./").File("./control", "Package: hand\nVersion: 2\n").Build();
        byte[] data = new TarBuilder().Dir("./").File("./usr/hand", "made by hand").Build();
        string dataTar = Path.Combine(_temp.Path, "data.tar");
        File.WriteAllBytes(dataTar, data);
        byte[] bz2 = Sh.RunBytes("bzip2", ["-c"], data);

        var deb = new MemoryStream();
        var ar = new ArWriter(deb);
        ar.Add("debian-binary", "2.0\n"u8);
        ar.Add("_extra", "ignored"u8);
        ar.Add("control.tar", control);
        ar.Add("data.tar.bz2", bz2);
        deb.Position = 0;

        using var archive = DebArchive.Open(deb, "package 'hand' 2");
        Assert.Equal("hand", archive.Control.ParseControl()["Package"]);
        string root = _temp.Sub("root");
        new SafeExtractor(root).Extract(archive);
        Assert.Equal("made by hand", File.ReadAllText(Path.Combine(root, "usr/hand")));
    }

    [Theory]
    [InlineData("3.0\n", "unsupported format version \"3.0\" in 'debian-binary' (expected \"2.0\")")]
    [InlineData("2.0", "unsupported format version \"2.0\" in 'debian-binary' (expected \"2.0\")")]
    public void Rejects_unknown_format_versions(string version, string why)
    {
        var deb = new MemoryStream();
        new ArWriter(deb).Add("debian-binary", Encoding.ASCII.GetBytes(version));
        deb.Position = 0;
        var e = Assert.Throws<InstallException>(() => DebArchive.Open(deb, "package 'x' 1"));
        Assert.Equal($"package 'x' 1: malformed .deb: {why}. Delete it from the cache and download it again.", e.Message);
    }

    [Fact]
    public void Rejects_missing_or_misplaced_members()
    {
        var deb = new MemoryStream();
        var ar = new ArWriter(deb);
        ar.Add("debian-binary", "2.0\n"u8);
        ar.Add("data.tar", new TarBuilder().Build());
        deb.Position = 0;
        var e = Assert.Throws<InstallException>(() => DebArchive.Open(deb, "package 'x' 1"));
        Assert.Contains("expected a control.tar member, found 'data.tar'", e.Message);

        var noData = new MemoryStream();
        ar = new ArWriter(noData);
        ar.Add("debian-binary", "2.0\n"u8);
        ar.Add("control.tar", new TarBuilder().File("./control", "Package: x\n").Build());
        noData.Position = 0;
        using var archive = DebArchive.Open(noData, "package 'x' 1");
        e = Assert.Throws<InstallException>(() => archive.OpenData());
        Assert.Contains("it has no data.tar member", e.Message);
    }

    [Fact]
    public void Rejects_corrupt_compressed_control()
    {
        var deb = new MemoryStream();
        var ar = new ArWriter(deb);
        ar.Add("debian-binary", "2.0\n"u8);
        ar.Add("control.tar.xz", "definitely not xz"u8);
        deb.Position = 0;
        var e = Assert.Throws<InstallException>(() => DebArchive.Open(deb, "package 'x' 1"));
        Assert.StartsWith("package 'x' 1: malformed .deb: cannot read control.tar.xz:", e.Message);
    }

    private static MemoryStream DebWithData(string memberName, byte[] data)
    {
        var deb = new MemoryStream();
        var ar = new ArWriter(deb);
        ar.Add("debian-binary", "2.0\n"u8);
        ar.Add("control.tar", new TarBuilder().File("./control", "Package: x\n").Build());
        ar.Add(memberName, data);
        deb.Position = 0;
        return deb;
    }

    [Fact]
    public void Corrupt_compressed_data_names_the_package()
    {
        byte[] tar = new TarBuilder().File("./a", new string('a', 100_000)).File("./b", "b").Build();
        byte[] xz = Sh.RunBytes("xz", ["-c"], tar);
        using var archive = DebArchive.Open(DebWithData("data.tar.xz", xz[..(xz.Length / 2)]), "package 'x' 1");
        var e = Assert.Throws<InstallException>(() => new SafeExtractor(_temp.Sub("root")).Extract(archive));
        Assert.StartsWith("package 'x' 1: ", e.Message);
        Assert.Contains("truncated .xz data", e.Message);
    }

    [Fact]
    public void Abandoning_the_data_stream_midway_does_not_hang()
    {
        // Many chunks of read-ahead: the consumer stops after the first entry and disposes.
        byte[] tar = new TarBuilder().File("./a", "a").File("./b", new string('b', 5_000_000)).Build();
        byte[] xz = Sh.RunBytes("xz", ["-c", "-0"], tar);
        using var archive = DebArchive.Open(DebWithData("data.tar.xz", xz), "package 'x' 1");
        var reader = archive.OpenData();
        Assert.Equal("./a", reader.GetNextEntry()!.Name);
        reader.Dispose();
    }

    [Fact]
    public void Truncated_debs_are_malformed_wherever_the_cut_is()
    {
        byte[] deb = File.ReadAllBytes(BuildPackage("xz"));
        foreach (int length in new[] { 0, 8, 70, 100, 400, 900, deb.Length / 2, deb.Length - 2 }) // -2: past a possible pad byte
        {
            var e = Assert.Throws<InstallException>(() =>
            {
                using var archive = DebArchive.Open(new MemoryStream(deb[..length]), "package 'demo' 1.0-1");
                new SafeExtractor(_temp.Sub($"cut{length}")).Extract(archive);
            });
            Assert.StartsWith("package 'demo' 1.0-1: ", e.Message);
        }
    }
}
