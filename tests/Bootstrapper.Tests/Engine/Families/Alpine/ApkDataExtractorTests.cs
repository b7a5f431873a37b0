using System.Runtime.Versioning;
using Bootstrapper.Core.Alpine.Package;
using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Families.Alpine;
using Bootstrapper.Tests.Fixtures.Alpine;

namespace Bootstrapper.Tests.Engine.Families.Alpine;

/// <summary>Hostile packages (signed by a trusted key: the signature says who built it, not that it is safe).</summary>
[UnsupportedOSPlatform("windows")]
public sealed class ApkDataExtractorTests : IDisposable
{
    private readonly string _base = Directory.CreateTempSubdirectory("apk-hostile-").FullName;
    private string Root => Path.Combine(_base, "root");
    private string Outside => Path.Combine(_base, "outside");

    public ApkDataExtractorTests()
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Outside);
    }

    public void Dispose() => Directory.Delete(_base, recursive: true);

    private void Extract(params FixtureEntry[] entries) => Extract(false, entries);

    private void Extract(bool gnuMagic, params FixtureEntry[] entries)
    {
        var tar = FixtureTar.Build(entries, withChecksums: true, endBlocks: true, gnuMagic);
        var contents = new ApkPackageContents
        {
            Name = "evil",
            Version = "1.0-r0",
            Checksum = "Q1",
            SignedBy = "",
            PkgInfo = [],
            Scripts = new Dictionary<string, byte[]>(),
            Triggers = [],
            DataEntries = ApkTar.Read(tar, "test"),
            DataTar = tar,
        };
        new ApkDataExtractor().Extract(Root, contents, "evil-1.0-r0", CancellationToken.None);
    }

    [Fact]
    public void Reads_abuild_style_pax_checksums_before_GNU_headers()
    {
        // abuild-tar puts a PAX 'x' record (APK-TOOLS.checksum.SHA1) before each GNU-tar header.
        Extract(gnuMagic: true, FixtureEntry.Dir("usr"), FixtureEntry.Dir("usr/bin"),
            FixtureEntry.File("usr/bin/tool", "#!/bin/sh\n", 0x1ed), FixtureEntry.Symlink("usr/bin/t", "tool"));
        Assert.Equal("#!/bin/sh\n", File.ReadAllText(Path.Combine(Root, "usr/bin/tool")));
        Assert.Equal("tool", new FileInfo(Path.Combine(Root, "usr/bin/t")).LinkTarget);
        Assert.Equal("0:0 755 regular file", AlpineInstallerTests.Stat(Path.Combine(Root, "usr/bin/tool")));
        var entries = ApkTar.Read(FixtureTar.Build([FixtureEntry.File("a", "x")], true, true, gnuMagic: true), "t");
        Assert.Equal("a", Assert.Single(entries).Name);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData("x"u8)), entries[0].Pax["APK-TOOLS.checksum.SHA1"]);
    }

    [Theory]
    [InlineData("../outside/pwned")]
    [InlineData("etc/../../outside/pwned")]
    [InlineData("/etc/pwned")]
    [InlineData("./../outside/pwned")]
    public void Traversal_names_are_refused(string name)
    {
        var e = Assert.Throws<InstallException>(() => Extract(FixtureEntry.Dir("etc"), FixtureEntry.File(name, "x")));
        Assert.StartsWith($"evil-1.0-r0: member '{name}' ", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Outside));
    }

    [Fact]
    public void Writing_through_relative_symlink_out_of_root_is_refused()
    {
        var e = Assert.Throws<InstallException>(() => Extract(
            FixtureEntry.Symlink("escape", "../outside"),
            FixtureEntry.File("escape/pwned", "x")));
        Assert.Equal("evil-1.0-r0: member 'escape/pwned' would be written through the symlink '/escape' that the same " +
                     "package installs; refusing to install", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Outside));
    }

    [Fact]
    public void Absolute_symlink_is_followed_inside_the_root()
    {
        // A link left by an earlier package is followed as in a chroot: an absolute target means ROOT + target.
        Extract(FixtureEntry.Symlink("link", Outside));
        Extract(FixtureEntry.File("link/inside", "x"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Outside));
        Assert.Equal("x", File.ReadAllText(Root + Outside + "/inside"));
    }

    [Fact]
    public void File_replaces_symlink_instead_of_writing_through_it()
    {
        File.WriteAllText(Path.Combine(Outside, "victim"), "original");
        Extract(FixtureEntry.Symlink("etc-passwd", Path.Combine(Outside, "victim")));
        Extract(FixtureEntry.File("etc-passwd", "replaced"));
        Assert.Equal("original", File.ReadAllText(Path.Combine(Outside, "victim")));
        Assert.Equal("replaced", File.ReadAllText(Path.Combine(Root, "etc-passwd")));
        Assert.Null(new FileInfo(Path.Combine(Root, "etc-passwd")).LinkTarget);
    }

    [Theory]
    [InlineData("../outside/victim")]
    [InlineData("/etc/passwd")]
    public void Hardlink_outside_is_refused(string target)
    {
        File.WriteAllText(Path.Combine(Outside, "victim"), "secret");
        Assert.Throws<InstallException>(() => Extract(FixtureEntry.Hardlink("stolen", target)));
        Assert.False(File.Exists(Path.Combine(Root, "stolen")));
    }

    [Fact]
    public void Hardlink_to_own_symlink_names_the_link_not_its_target()
    {
        // link(2) does not follow symlinks: the second name is another symlink, never the outside file's inode.
        File.WriteAllText(Path.Combine(Outside, "victim"), "secret");
        Extract(FixtureEntry.Symlink("v", Path.Combine(Outside, "victim")), FixtureEntry.Hardlink("stolen", "v"));
        Assert.Equal(Path.Combine(Outside, "victim"), new FileInfo(Path.Combine(Root, "stolen")).LinkTarget);
        Assert.Equal("1", AlpineInstallerTests.Run("stat", "-c", "%h", Path.Combine(Outside, "victim")).Trim());
    }

    [Fact]
    public void Hardlink_to_file_of_earlier_package_is_refused()
    {
        Extract(FixtureEntry.File("shadow", "root:x:"));
        var e = Assert.Throws<InstallException>(() => Extract(FixtureEntry.Hardlink("copy", "shadow")));
        Assert.Contains("which this package did not install before it", e.Message);
    }

    [Fact]
    public async Task Installer_stops_on_hostile_package()
    {
        using var repo = new FixtureRepository();
        repo.Publish("v3.23", "main",
        [
            new FixturePackage { Name = "evil", Files = [FixtureEntry.Dir("etc"), FixtureEntry.File("etc/../../outside/x", "x")] },
        ]);
        var (info, path) = repo.Packages.Single();
        var e = await Assert.ThrowsAsync<InstallException>(() => AlpineInstaller.InstallAsync(Root,
            [new AlpineInstallItem(info, path)],
            new AlpineInstallOptions
            {
                Keyring = repo.Signer.Keyring(),
                World = ["evil"],
                Repositories = [],
                Architecture = "x86_64",
            }, CancellationToken.None));
        Assert.Equal("evil-1.0-r0: refusing path 'etc/../../outside/x' (it contains '..'): it could escape the root.", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Outside));
    }
}
