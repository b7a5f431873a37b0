using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Archives;
using Bootstrapper.Engine.Os.Native;

namespace Bootstrapper.Tests.Engine.Archives;

/// <summary>
/// Hostile archives: each must be refused with a message naming the package and member, and nothing may appear
/// outside the staging root (checked with a sentinel directory next to it).
/// </summary>
public sealed class SafeExtractorHostileTests : IDisposable
{
    private const string Label = "package 'evil' 1.0";
    private readonly TempDir _temp = new();
    private readonly string _root;
    private readonly string _sentinel;

    public SafeExtractorHostileTests()
    {
        _root = _temp.Sub("root");
        _sentinel = _temp.Sub("sentinel");
        File.WriteAllText(Path.Combine(_sentinel, "host-file"), "host data");
    }

    public void Dispose() => _temp.Dispose();

    private InstallException Refused(TarBuilder tar)
    {
        var e = Assert.Throws<InstallException>(() => new SafeExtractor(_root).Extract(tar.Reader(), Label));
        AssertNothingOutsideRoot();
        return e;
    }

    private void AssertNothingOutsideRoot()
    {
        Assert.Equal(["host-file"], Directory.EnumerateFileSystemEntries(_sentinel).Select(Path.GetFileName));
        Assert.Equal("host data", File.ReadAllText(Path.Combine(_sentinel, "host-file")));
        Assert.Equal(["root", "sentinel"], Directory.EnumerateFileSystemEntries(_temp.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Dot_dot_member_is_refused()
    {
        var e = Refused(new TarBuilder().Dir("./").File("./../sentinel/pwned", "x"));
        Assert.Equal("package 'evil' 1.0: member './../sentinel/pwned' escapes the root; refusing to install", e.Message);
    }

    [Fact]
    public void Dot_dot_in_the_middle_is_refused()
    {
        var e = Refused(new TarBuilder().Dir("./usr/").File("./usr/../../sentinel/pwned", "x"));
        Assert.Equal("package 'evil' 1.0: member './usr/../../sentinel/pwned' escapes the root; refusing to install", e.Message);
    }

    [Fact]
    public void Absolute_member_is_refused()
    {
        string name = Path.Combine(_sentinel, "pwned");
        var e = Refused(new TarBuilder().File(name, "x"));
        Assert.Equal($"package 'evil' 1.0: member '{name}' is an absolute path; refusing to install", e.Message);
    }

    [Fact]
    public void File_written_through_own_absolute_symlink_is_refused()
    {
        var e = Refused(new TarBuilder().Symlink("./evil", _sentinel).File("./evil/x", "x"));
        Assert.Equal("package 'evil' 1.0: member './evil/x' would be written through the symlink '/evil' that the same " +
                     "package installs; refusing to install", e.Message);
    }

    [Fact]
    public void File_written_through_own_relative_symlink_is_refused()
    {
        var e = Refused(new TarBuilder().Dir("./a/").Symlink("./a/evil", "../../sentinel").File("./a/evil/x", "x"));
        Assert.Contains("member './a/evil/x' would be written through the symlink '/a/evil'", e.Message);
    }

    [Fact]
    public void Directory_through_own_symlink_is_refused()
    {
        var e = Refused(new TarBuilder().Symlink("./evil", _sentinel).Dir("./evil/"));
        Assert.Contains("member './evil/' would be written through the symlink '/evil'", e.Message);
    }

    [Fact]
    public void Escaping_symlink_chain_is_refused()
    {
        var e = Refused(new TarBuilder()
            .Symlink("./a", "b").Symlink("./b", "c").Symlink("./c", "../sentinel")
            .File("./a/pwned", "x"));
        Assert.Contains("member './a/pwned' would be written through the symlink '/a'", e.Message);
    }

    [Fact]
    public void Chain_through_preexisting_symlink_to_own_symlink_is_refused()
    {
        // An earlier package left "lib -> usr/lib"; this one plants usr/lib/evil -> sentinel and writes lib/evil/x.
        Directory.CreateDirectory(Path.Combine(_root, "usr/lib"));
        File.CreateSymbolicLink(Path.Combine(_root, "lib"), "usr/lib");
        var e = Refused(new TarBuilder().Symlink("./usr/lib/evil", _sentinel).File("./lib/evil/x", "x"));
        Assert.Contains("member './lib/evil/x' would be written through the symlink '/usr/lib/evil'", e.Message);
    }

    [Fact]
    public void Hard_link_to_host_file_is_refused()
    {
        var e = Refused(new TarBuilder().HardLink("./passwd", "/etc/passwd"));
        Assert.Equal("package 'evil' 1.0: member './passwd': hard link target '/etc/passwd' is an absolute path; refusing to install", e.Message);
    }

    [Fact]
    public void Hard_link_escaping_with_dot_dot_is_refused()
    {
        var e = Refused(new TarBuilder().HardLink("./f", "../sentinel/host-file"));
        Assert.Equal("package 'evil' 1.0: member './f': hard link target '../sentinel/host-file' escapes the root; refusing to install",
            e.Message);
    }

    [Fact]
    public void Hard_link_to_file_not_extracted_before_is_refused()
    {
        // The file exists in the root (an earlier package), but this archive did not write it.
        Directory.CreateDirectory(Path.Combine(_root, "etc"));
        File.WriteAllText(Path.Combine(_root, "etc/shadow"), "secret");
        var e = Refused(new TarBuilder().Dir("./etc/").HardLink("./etc/copy", "./etc/shadow"));
        Assert.Equal("package 'evil' 1.0: member './etc/copy' is a hard link to './etc/shadow', which this package did " +
                     "not install before it; refusing to install", e.Message);
    }

    [Fact]
    public void Hard_link_through_preexisting_escaping_symlink_is_refused()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "host"), _sentinel);
        var e = Refused(new TarBuilder().HardLink("./x", "./host/host-file"));
        Assert.Contains("is a hard link to './host/host-file', which this package did not install before it", e.Message);
    }

    [Fact]
    public void Preexisting_escaping_symlinks_resolve_inside_the_root_like_a_chroot()
    {
        // Left by an earlier package or script: an absolute link to a host path and a relative one climbing out.
        File.CreateSymbolicLink(Path.Combine(_root, "etc"), _sentinel);
        File.CreateSymbolicLink(Path.Combine(_root, "up"), "../../../../../sentinel");
        var result = new SafeExtractor(_root).Extract(
            new TarBuilder().File("./etc/x", "one").File("./up/y", "two").Reader(), Label);

        AssertNothingOutsideRoot();
        Assert.Equal("one", File.ReadAllText(Path.Combine(_root, _sentinel.TrimStart('/'), "x")));
        Assert.Equal("two", File.ReadAllText(Path.Combine(_root, "sentinel/y")));
        Assert.Equal(["/.", "/etc/x", "/up/y"], result.Paths);
    }

    [Fact]
    public void Symlink_at_final_component_is_replaced_not_followed()
    {
        string target = Path.Combine(_sentinel, "created-through-link");
        File.CreateSymbolicLink(Path.Combine(_root, "f"), target);
        new SafeExtractor(_root).Extract(new TarBuilder().File("./f", "new").Reader(), Label);

        AssertNothingOutsideRoot();
        var info = new FileInfo(Path.Combine(_root, "f"));
        Assert.Null(info.LinkTarget);
        Assert.Equal("new", File.ReadAllText(info.FullName));
    }

    [Fact]
    public void Symlink_loop_is_refused()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "loop"), "loop");
        var e = Refused(new TarBuilder().File("./loop/x", "x"));
        Assert.Equal("package 'evil' 1.0: member './loop/x' goes through too many levels of symbolic links; refusing to install",
            e.Message);
    }

    [Fact]
    public void File_over_existing_directory_is_refused()
    {
        Directory.CreateDirectory(Path.Combine(_root, "d"));
        var e = Refused(new TarBuilder().File("./d", "x"));
        Assert.Equal("package 'evil' 1.0: member './d' would replace the directory '/d' with a non-directory; refusing to install",
            e.Message);
    }

    [Fact]
    public void Truncated_data_names_the_package()
    {
        byte[] tar = new TarBuilder().File("./a", "a").File("./b", new string('b', 2000)).Build();
        var truncated = new MemoryStream(tar[..(512 * 3 + 100)]); // ends inside the data of ./b
        var e = Assert.Throws<InstallException>(() =>
            new SafeExtractor(_root).Extract(new System.Formats.Tar.TarReader(truncated), Label));
        Assert.StartsWith("package 'evil' 1.0: ", e.Message);
        Assert.Contains("'./b'", e.Message);
    }

    [Fact]
    public void Garbage_header_names_the_package()
    {
        byte[] tar = new TarBuilder().File("./a", "a").File("./b", "b").Build();
        tar.AsSpan(1024, 512).Fill((byte)'Z'); // the header of ./b becomes garbage
        var e = Assert.Throws<InstallException>(() =>
            new SafeExtractor(_root).Extract(new System.Formats.Tar.TarReader(new MemoryStream(tar)), Label));
        Assert.StartsWith("package 'evil' 1.0: the data archive is corrupt after member './a'", e.Message);
    }

    [Fact]
    public void Parallel_extractions_into_one_root_cannot_be_turned_against_the_host()
    {
        // One package writes files; the other races to put symlinks to a host file, or to the sentinel
        // directory, at the same paths. Whatever interleaving happens, the host must not change (not even modes).
        string hostFile = Path.Combine(_sentinel, "host-file");
        LibC.Chmod(hostFile, 0x1A4);
        var honest = new TarBuilder().Dir("./d/");
        var racer = new TarBuilder().Symlink("./d", _sentinel);
        for (int i = 0; i < 200; i++)
        {
            honest.File($"./d/f{i}", "data", (UnixFileMode)0xFFF);
            racer.Symlink($"./d/f{i}", hostFile);
        }
        byte[] honestTar = honest.Build(), racerTar = racer.Build();
        for (int round = 0; round < 10; round++)
        {
            string root = _temp.Sub($"race{round}");
            var extractor = new SafeExtractor(root);
            Parallel.Invoke(
                () => Try(() => extractor.Extract(new System.Formats.Tar.TarReader(new MemoryStream(honestTar)), "package 'a' 1")),
                () => Try(() => extractor.Extract(new System.Formats.Tar.TarReader(new MemoryStream(racerTar)), "package 'b' 1")));
            Assert.Equal(["host-file"], Directory.EnumerateFileSystemEntries(_sentinel).Select(Path.GetFileName));
            Assert.Equal(0x1A4u, LibC.Lstat(hostFile).Permissions);
            Assert.Equal("host data", File.ReadAllText(hostFile));
        }

        static void Try(Action extract)
        {
            try { extract(); } catch (InstallException) { } // losing the race may be refused; escaping may not
        }
    }
}
