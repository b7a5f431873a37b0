using Bootstrapper.Engine.Archives;
using Bootstrapper.Engine.Debian;
using Bootstrapper.Tests.Archives;

namespace Bootstrapper.Tests.Install;

/// <summary>
/// The record-only .deb: what dpkg must unpack itself from a package we extracted, and the archive built from it.
/// </summary>
public sealed class RecordOnlyDebTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>A package with conffiles (one no longer shipped), a file-trigger path, and a hard-linked copyright.</summary>
    private string BuildPackage(bool withMd5sums = true)
    {
        string pkg = _temp.Sub("pkg");
        Directory.CreateDirectory(Path.Combine(pkg, "DEBIAN"));
        File.WriteAllText(Path.Combine(pkg, "DEBIAN/control"),
            "Package: demo\nVersion: 1.0-1\nArchitecture: all\nMaintainer: Test <test@example.org>\n" +
            "Description: test package\n with conffiles\n");
        File.WriteAllText(Path.Combine(pkg, "DEBIAN/conffiles"), "/etc/demo.conf\nremove-on-upgrade /etc/old.conf\n");
        Write(pkg, "etc/demo.conf", "setting=1\n");
        Write(pkg, "usr/bin/tool", "#!/bin/sh\n");
        Write(pkg, "usr/share/shells.d/demo", "/usr/bin/tool\n");
        Write(pkg, "usr/share/doc/demo/copyright", "Copyright: nobody\n");
        Sh.Run("ln", Path.Combine(pkg, "usr/share/doc/demo/copyright"), Path.Combine(pkg, "usr/share/doc/demo/copyright-again"));
        Write(pkg, "usr/share/doc/demo/changelog", "no news\n");
        if (withMd5sums)
            File.WriteAllText(Path.Combine(pkg, "DEBIAN/md5sums"),
                Sh.Run("sh", "-c", $"cd {pkg} && md5sum usr/bin/tool usr/share/doc/demo/changelog usr/share/doc/demo/copyright"));
        string deb = Path.Combine(_temp.Path, "demo.deb");
        Sh.Run("dpkg-deb", "-Zxz", "--root-owner-group", "--build", pkg, deb);
        return deb;
    }

    private static void Write(string root, string relative, string content)
    {
        string path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    private (ExtractedPackage Extracted, string Root) Extract(string deb, Func<string, System.Formats.Tar.TarEntry, bool> keep)
    {
        string root = _temp.Sub("root");
        using var archive = DebArchive.OpenFile(deb, "package 'demo'");
        return (new SafeExtractor(root, new ExtractOptions { Keep = keep, ApplyOwners = false }).Extract(archive), root);
    }

    private static ControlFiles Control(string deb)
    {
        using var archive = DebArchive.OpenFile(deb, "package 'demo'");
        return archive.Control;
    }

    [Fact]
    public void Conffiles_leave_out_those_marked_remove_on_upgrade()
    {
        var control = Control(BuildPackage());
        Assert.Equal(["/etc/demo.conf"], RecordOnlyDeb.Conffiles(control));
    }

    [Fact]
    public void File_trigger_interests_are_the_absolute_paths_of_interest_directives()
    {
        string pkg = _temp.Sub("trig");
        Directory.CreateDirectory(Path.Combine(pkg, "DEBIAN"));
        File.WriteAllText(Path.Combine(pkg, "DEBIAN/control"),
            "Package: trig\nVersion: 1\nArchitecture: all\nMaintainer: T <t@example.org>\nDescription: t\n");
        File.WriteAllText(Path.Combine(pkg, "DEBIAN/triggers"),
            "# comment\ninterest-noawait /usr/share/shells.d\ninterest ldconfig\nactivate-noawait /ignored\ninterest-await /usr/lib/mime # tail\n");
        string deb = Path.Combine(_temp.Path, "trig.deb");
        Sh.Run("dpkg-deb", "--root-owner-group", "--build", pkg, deb);
        Assert.Equal(["/usr/lib/mime", "/usr/share/shells.d"], RecordOnlyDeb.FileTriggerInterests([Control(deb)]));
    }

    [Fact]
    public void Keeps_conffiles_trigger_paths_the_copyright_and_its_hard_links_and_nothing_else()
    {
        string deb = BuildPackage();
        var keep = RecordOnlyDeb.MembersDpkgMustUnpack("demo", Control(deb), ["/usr/share/shells.d"]);
        var (extracted, root) = Extract(deb, keep);

        Assert.Equal(
            ["./etc/demo.conf", "./usr/share/doc/demo/copyright", "./usr/share/doc/demo/copyright-again", "./usr/share/shells.d/"
                , "./usr/share/shells.d/demo"],
            extracted.Kept.Select(e => e.Name).Order(StringComparer.Ordinal));
        // Everything was still extracted.
        Assert.True(File.Exists(Path.Combine(root, "usr/bin/tool")));
        Assert.Contains("/usr/bin/tool", extracted.Paths);
    }

    [Fact]
    public void Without_md5sums_the_first_file_member_keeps_the_package_owning_something()
    {
        string deb = BuildPackage(withMd5sums: false);
        var keep = RecordOnlyDeb.MembersDpkgMustUnpack("demo", Control(deb), []);
        var (extracted, _) = Extract(deb, keep);
        Assert.Equal(["./etc/demo.conf"], extracted.Kept.Select(e => e.Name));
    }

    [Fact]
    public void The_record_only_deb_has_the_control_member_byte_for_byte_and_only_the_kept_members()
    {
        string deb = BuildPackage();
        var keep = RecordOnlyDeb.MembersDpkgMustUnpack("demo", Control(deb), ["/usr/share/shells.d"]);
        var (extracted, _) = Extract(deb, keep);
        string record = Path.Combine(_temp.Path, "record.deb");
        RecordOnlyDeb.Write(deb, record, extracted.Kept, "package 'demo'");

        Assert.Equal(["debian-binary", "control.tar.xz", "data.tar"], Sh.Run("ar", "t", record).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(Sh.RunBytes("ar", ["p", deb, "control.tar.xz"], []), Sh.RunBytes("ar", ["p", record, "control.tar.xz"], []));
        // dpkg-deb reads it; the members keep their data, owners, modes and times, and the hard link stays a link.
        var listing = Sh.Run("dpkg-deb", "-c", record).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var original = Sh.Run("dpkg-deb", "-c", deb).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, listing.Length);
        Assert.All(listing, line => Assert.Contains(line, original));
        string x = _temp.Sub("x");
        Sh.Run("dpkg-deb", "-x", record, x);
        Assert.Equal("setting=1\n", File.ReadAllText(Path.Combine(x, "etc/demo.conf")));
        Assert.Equal("Copyright: nobody\n", File.ReadAllText(Path.Combine(x, "usr/share/doc/demo/copyright-again")));
    }

    [Theory]
    [InlineData(false, "demo.list")]
    [InlineData(true, "demo:amd64.list")]
    public void The_file_list_is_named_as_dpkg_names_it_and_lists_every_member(bool multiArchSame, string name)
    {
        string root = _temp.Sub("listroot");
        Directory.CreateDirectory(Path.Combine(root, "var/lib/dpkg/info"));
        RecordOnlyDeb.WriteFileList(root, "demo", "amd64", multiArchSame, ["/.", "/usr", "/usr/bin", "/usr/bin/tool"]);
        Assert.Equal("/.\n/usr\n/usr/bin\n/usr/bin/tool\n", File.ReadAllText(Path.Combine(root, "var/lib/dpkg/info", name)));
    }
}
