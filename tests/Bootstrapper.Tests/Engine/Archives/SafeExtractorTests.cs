using System.Formats.Tar;
using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Archives;
using Bootstrapper.Engine.Os.Native;

namespace Bootstrapper.Tests.Engine.Archives;

/// <summary>What honest archives produce: metadata, links, devices, merged /usr, dpkg's directory rules.</summary>
public sealed class SafeExtractorTests : IDisposable
{
    private const string Label = "package 'demo' 1.0";
    private readonly TempDir _temp = new();
    private readonly string _root;

    public SafeExtractorTests() => _root = _temp.Sub("root");

    public void Dispose() => _temp.Dispose();

    private string At(string relative) => Path.Combine(_root, relative);

    [Fact]
    public void Merged_usr_symlinks_in_the_root_are_followed()
    {
        Directory.CreateDirectory(At("usr/bin"));
        File.CreateSymbolicLink(At("bin"), "usr/bin");
        var result = new SafeExtractor(_root).Extract(
            new TarBuilder().Dir("./").Dir("./bin/").File("./bin/sh", "#!", (UnixFileMode)0x1ED).Reader(), Label);

        Assert.Equal("usr/bin", new FileInfo(At("bin")).LinkTarget);
        Assert.Equal("#!", File.ReadAllText(At("usr/bin/sh")));
        Assert.Equal(["/.", "/bin", "/bin/sh"], result.Paths);
    }

    [Fact]
    public void Owners_modes_setuid_and_mtimes_are_applied()
    {
        new SafeExtractor(_root).Extract(new TarBuilder()
            .Dir("./usr/", (UnixFileMode)0x1C0 /* 0700 */)
            .File("./usr/su", "x", (UnixFileMode)0x9ED /* 04755 */, uid: 0, gid: 0)
            .File("./usr/shadowy", "y", (UnixFileMode)0x5A0 /* 02640 */, uid: 1000, gid: 42)
            .Reader(), Label);

        var su = LibC.Lstat(At("usr/su"));
        Assert.Equal(0x9EDu, su.Permissions);
        Assert.Equal(1_600_000_000, su.MtimeSeconds);
        var shadowy = LibC.Lstat(At("usr/shadowy"));
        Assert.Equal(0x5A0u, shadowy.Permissions); // setgid survives the chown that precedes it
        Assert.Equal((1000u, 42u), (shadowy.Uid, shadowy.Gid));
        var usr = LibC.Lstat(At("usr"));
        Assert.Equal(0x1C0u, usr.Permissions);
        Assert.Equal(1_600_000_000, usr.MtimeSeconds); // set after its children were written
    }

    [Fact]
    public void Symlinks_hard_links_devices_and_fifos_are_created()
    {
        new SafeExtractor(_root).Extract(new TarBuilder()
            .Dir("./dev/")
            .Device("./dev/null", TarEntryType.CharacterDevice, 1, 3)
            .Device("./dev/loop0", TarEntryType.BlockDevice, 7, 0, (UnixFileMode)0x1B0)
            .Device("./dev/fifo", TarEntryType.Fifo, 0, 0, (UnixFileMode)0x180)
            .File("./data", "content")
            .HardLink("./data-link", "./data")
            .Symlink("./alias", "data")
            .Symlink("./dangling", "/nowhere")
            .Reader(), Label);

        var nul = LibC.Lstat(At("dev/null"));
        Assert.Equal((LibC.S_IFCHR, 1u, 3u, 0x1B6u), (nul.Type, nul.RdevMajor, nul.RdevMinor, nul.Permissions));
        var loop = LibC.Lstat(At("dev/loop0"));
        Assert.Equal((LibC.S_IFBLK, 7u, 0u, 0x1B0u), (loop.Type, loop.RdevMajor, loop.RdevMinor, loop.Permissions));
        Assert.Equal(LibC.S_IFIFO, LibC.Lstat(At("dev/fifo")).Type);
        Assert.Equal(LibC.Lstat(At("data")).Inode, LibC.Lstat(At("data-link")).Inode);
        Assert.Equal(2u, LibC.Lstat(At("data")).Nlink);
        Assert.Equal("data", new FileInfo(At("alias")).LinkTarget);
        Assert.Equal("/nowhere", new FileInfo(At("dangling")).LinkTarget);
        Assert.Equal(1_600_000_000, LibC.Lstat(At("alias")).MtimeSeconds); // the link's own time, not its target's
    }

    [Fact]
    public void Device_nodes_are_refused_when_not_allowed()
    {
        var extractor = new SafeExtractor(_root, new ExtractOptions { AllowDevices = false });
        var e = Assert.Throws<InstallException>(() => extractor.Extract(
            new TarBuilder().Device("./null", TarEntryType.CharacterDevice, 1, 3).Reader(), Label));
        Assert.Equal("package 'demo' 1.0: member './null' is a device node, which needs root to create; refusing to install",
            e.Message);
    }

    [Fact]
    public void Existing_directory_stays_a_directory_when_a_package_ships_a_symlink()
    {
        Directory.CreateDirectory(At("doc"));
        File.WriteAllText(At("doc/keep"), "k");
        var result = new SafeExtractor(_root).Extract(new TarBuilder().Symlink("./doc", "elsewhere").Reader(), Label);

        Assert.True(LibC.Lstat(At("doc")).IsDirectory);
        Assert.True(File.Exists(At("doc/keep")));
        Assert.Equal(["/.", "/doc"], result.Paths);
    }

    [Fact]
    public void Existing_files_and_hard_links_are_replaced_not_written_through()
    {
        File.WriteAllText(At("original"), "old");
        LibC.Link(At("original"), At("target"));
        new SafeExtractor(_root).Extract(new TarBuilder().File("./target", "new").Reader(), Label);

        Assert.Equal("new", File.ReadAllText(At("target")));
        Assert.Equal("old", File.ReadAllText(At("original"))); // the other name of the old inode is untouched
    }

    [Fact]
    public void Missing_parents_are_created_and_dot_directory_is_the_root()
    {
        var result = new SafeExtractor(_root).Extract(new TarBuilder().Dir("./").Dir(".").File("a/b/c/file", "x").Reader(), Label);
        Assert.Equal("x", File.ReadAllText(At("a/b/c/file")));
        Assert.Equal(0x1EDu, LibC.Lstat(At("a/b")).Permissions);
        Assert.Equal(["/.", "/a/b/c/file"], result.Paths);
    }

    [Fact]
    public void Md5sums_match_dpkg_format_when_requested()
    {
        var result = new SafeExtractor(_root, new ExtractOptions { ComputeMd5 = true })
            .Extract(new TarBuilder().File("./usr/a", "hello\n").File("./usr/empty", "").Reader(), Label);
        Assert.Equal("b1946ac92492d2347c6235b4d2611184", result.Md5Sums["usr/a"]); // md5sum of "hello\n"
        Assert.Equal("d41d8cd98f00b204e9800998ecf8427e", result.Md5Sums["usr/empty"]);
        Assert.Equal(6, result.FileBytes);
    }

    [Fact]
    public void Cancellation_stops_between_members()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() =>
            new SafeExtractor(_root).Extract(new TarBuilder().File("./a", "x").Reader(), Label, cts.Token));
        Assert.False(File.Exists(At("a")));
    }

    [Fact]
    public void Pax_archives_with_a_global_header_extract()
    {
        var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxGlobalExtendedAttributesTarEntry(new Dictionary<string, string> { ["comment"] = "built by Go" }));
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "./usr/" + new string('p', 150))
            { DataStream = new MemoryStream("pax"u8.ToArray()), Mode = (UnixFileMode)0x1A4 });
        }
        stream.Position = 0;
        var result = new SafeExtractor(_root).Extract(new TarReader(stream), Label);
        Assert.Equal("pax", File.ReadAllText(At("usr/" + new string('p', 150))));
        Assert.Equal(["/.", "/usr/" + new string('p', 150)], result.Paths);
    }

    [Fact]
    public void Unsupported_member_types_are_refused()
    {
        byte[] tar = new TarBuilder().File("./volume", "").Build();
        tar[156] = (byte)'M'; // GNU multi-volume continuation: nothing a package may contain
        int sum = 0;
        for (int i = 0; i < 512; i++) sum += i is >= 148 and < 156 ? ' ' : tar[i];
        System.Text.Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(tar, 148);
        var e = Assert.Throws<InstallException>(() =>
            new SafeExtractor(_root).Extract(new TarReader(new MemoryStream(tar)), Label));
        Assert.Equal("package 'demo' 1.0: member './volume' has the unsupported tar type MultiVolume; refusing to install",
            e.Message);
    }

    [Fact]
    public void Excluded_members_are_left_out_but_still_checked()
    {
        var options = new ExtractOptions { Exclude = path => path.StartsWith("usr/share/doc/", StringComparison.Ordinal) };
        var result = new SafeExtractor(_root, options).Extract(new TarBuilder()
            .Dir("./usr/").Dir("./usr/share/").Dir("./usr/share/doc/")
            .File("./usr/share/doc/README", "docs").File("./usr/bin-file", "kept").Reader(), Label);
        Assert.Equal(["/.", "/usr", "/usr/share", "/usr/share/doc", "/usr/bin-file"], result.Paths);
        Assert.False(File.Exists(At("usr/share/doc/README")));
        Assert.Equal("kept", File.ReadAllText(At("usr/bin-file")));

        var e = Assert.Throws<InstallException>(() => new SafeExtractor(_root, new ExtractOptions { Exclude = _ => true })
            .Extract(new TarBuilder().File("./../escape", "x").Reader(), Label));
        Assert.Contains("escapes the root", e.Message);
    }
}
