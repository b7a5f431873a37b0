using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Archives;
using Bootstrapper.Engine.Families.Debian.Deb;
using Bootstrapper.Engine.Families.Debian.Install;
using Bootstrapper.Engine.Os.Files;
using Bootstrapper.Engine.Os.Processes;
using Bootstrapper.Engine.Sandbox;
using Bootstrapper.Tests.Engine.Archives;
using Bootstrapper.Tests.Engine.Pipeline;

namespace Bootstrapper.Tests.Engine.Families.Debian.Install;

/// <summary>
/// A package ships a link from a path the host then works on to a host path (issue 10, point 2). A sentinel tree
/// stands for the host's files: its names, types, modes and contents hash the same before and after, and the install
/// either refuses with a message naming the package and the path, or does the work inside the root.
/// </summary>
public sealed class HostileRootLinkTests : IDisposable
{
    private readonly TempDir _temp = new();
    private readonly HostSentinel _sentinel = new();
    private readonly string _root;
    private readonly string _host;

    public HostileRootLinkTests()
    {
        _root = Path.Combine(_temp.Path, "root");
        _host = _sentinel.Directory;
        File.WriteAllText(Path.Combine(_host, "passwd"), "shadow:x:99:99::/:/bin/false\n");
        File.WriteAllText(Path.Combine(_host, "group"), "shadow:x:99:\n");
    }

    public void Dispose()
    {
        _temp.Dispose();
        _sentinel.Dispose();
    }

    private string HostHash() => _sentinel.Fingerprint();

    private InstallPackage Deb(string name, TarBuilder data)
    {
        var path = Path.Combine(_temp.Path, name + ".deb");
        File.WriteAllBytes(path, TestDebs.Build(name, "1.0", data, Installer.HostArchitecture()));
        return new InstallPackage(name, "1.0", Installer.HostArchitecture(), path, true);
    }

    /// <summary>
    /// An essential set of dpkg and one hostile package, and one more package whose .deb is copied into the root for
    /// dpkg beside the essential stage; installed with our own extractor.
    /// </summary>
    private Task InstallAsync(TarBuilder hostile) => Installer.InstallAsync(new InstallRequest
    {
        RootDirectory = _root,
        Suite = "bookworm",
        Architecture = Installer.HostArchitecture(),
        Packages =
        [
            Deb("dpkg", new TarBuilder().Dir("./").Dir("./usr/").Dir("./usr/bin/").File("./usr/bin/dpkg", "#!/bin/sh\n")),
            Deb("evil", hostile),
            Deb("extra", new TarBuilder().Dir("./")) with { InEssentialSet = false },
        ],
    }, new SafeDebExtractor(), null, CancellationToken.None);

    [Fact]
    public async Task An_essential_package_shipping_the_debs_directory_as_a_link_to_the_host_is_refused()
    {
        if (!Privileges.IsRoot) return; // installing needs root (mknod for /dev); CI runs as root
        var before = HostHash();
        var e = await Assert.ThrowsAsync<InstallException>(() => InstallAsync(
            new TarBuilder().Dir("./").Dir("./var/").Dir("./var/cache/").Symlink("./var/cache/bootstrap-debs", Path.Combine(_host, "sub"))));
        Assert.Equal(
            "package 'evil' 1.0 ships /var/cache/bootstrap-debs, the directory where the bootstrapper puts the .debs for dpkg; " +
            "refusing to write the .debs through what the package put there. Remove that package from the recipe.", e.Message);
        Assert.Equal(before, HostHash());
        Assert.Equal(["file"], Directory.GetFileSystemEntries(Path.Combine(_host, "sub")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task An_essential_package_shipping_dev_null_as_a_link_to_a_host_file_is_refused_and_nothing_is_chmodded()
    {
        if (!Privileges.IsRoot) return;
        var before = HostHash();
        var e = await Assert.ThrowsAsync<InstallException>(() => InstallAsync(
            new TarBuilder().Dir("./").Dir("./dev/").Symlink("./dev/null", Path.Combine(_host, "precious"))));
        Assert.Equal("/dev/null exists but is not the character device 1,3; a package shipped something else there. " +
                     "Remove that package from the recipe or start from an empty root.", e.Message);
        Assert.Equal(before, HostHash());
        Assert.Equal((UnixFileMode)0x1A4, File.GetUnixFileMode(Path.Combine(_host, "precious")));
    }

    [Fact]
    public void A_dev_link_to_a_host_directory_gets_the_devices_inside_the_root()
    {
        if (!Privileges.IsRoot) return;
        Directory.CreateDirectory(_root);
        File.CreateSymbolicLink(Path.Combine(_root, "dev"), Path.Combine(_host, "sub"));
        var before = HostHash();

        ChrootDevices.Create(_root);

        Assert.Equal(before, HostHash());
        // Where the chroot sees /dev: ROOT + the link's absolute target.
        var dev = Path.Combine(_root, _host.TrimStart('/'), "sub");
        Assert.Equal((UnixFileMode)0x1B6, File.GetUnixFileMode(Path.Combine(dev, "null")));
        Assert.Equal("/proc/self/fd", new FileInfo(Path.Combine(dev, "fd")).LinkTarget);
    }

    [Fact]
    public void Owner_checks_read_the_roots_passwd_through_a_link_never_the_hosts()
    {
        Directory.CreateDirectory(_root);
        File.CreateSymbolicLink(Path.Combine(_root, "etc"), _host); // the host's "passwd" says shadow is 99
        var before = HostHash();
        Assert.Null(RecordEligibility.EssentialOwnerMismatch(_root, [new MemberOwner("root", 0, "shadow", 42)]));
        // The root's own file at the link's target is what counts.
        var inRoot = Path.Combine(_root, _host.TrimStart('/'));
        Directory.CreateDirectory(inRoot);
        File.WriteAllText(Path.Combine(inRoot, "group"), "shadow:x:43:\n");
        Assert.Equal("group shadow, which is gid 43 in the root, not 42",
            RecordEligibility.EssentialOwnerMismatch(_root, [new MemberOwner("root", 0, "shadow", 42)]));
        Assert.Equal(before, HostHash());
    }

    [Fact]
    public void Writing_over_a_dangling_link_replaces_the_link_and_never_creates_the_host_file()
    {
        Directory.CreateDirectory(Path.Combine(_root, "etc"));
        var target = Path.Combine(_host, "created-by-the-build");
        File.CreateSymbolicLink(Path.Combine(_root, "etc/fstab"), target);
        var before = HostHash();

        RootFs.WriteText(_root, "etc/fstab", "in the root\n");

        Assert.Equal(before, HostHash());
        Assert.False(File.Exists(target));
        Assert.Null(new FileInfo(Path.Combine(_root, "etc/fstab")).LinkTarget);
        Assert.Equal("in the root\n", File.ReadAllText(Path.Combine(_root, "etc/fstab")));
    }

    [Fact]
    public void Chmod_rewrite_and_delete_never_act_on_what_a_link_points_to()
    {
        Directory.CreateDirectory(Path.Combine(_root, "etc"));
        File.CreateSymbolicLink(Path.Combine(_root, "etc/shadow"), Path.Combine(_host, "precious"));
        File.CreateSymbolicLink(Path.Combine(_root, "etc/apt"), Path.Combine(_host, "sub"));
        var before = HostHash();

        var chmod = Assert.Throws<IOException>(() => RootFs.SetMode(_root, "etc/shadow", 0x1B6));
        Assert.Equal("'/etc/shadow' is a symbolic link; refusing to change the mode of what it points to", chmod.Message);
        Assert.Throws<IOException>(() => RootFs.Rewrite(_root, "etc/shadow", "")); // O_NOFOLLOW: ELOOP
        Assert.Null(RootFs.ReadText(_root, "etc/shadow")); // the root's /host/file does not exist
        Assert.Empty(RootFs.List(_root, "etc/apt"));      // nor does the root's /host/dir
        Assert.True(RootFs.Delete(_root, "etc/apt"));
        Assert.True(RootFs.Delete(_root, "etc/shadow"));

        Assert.Equal(before, HostHash());
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_root, "etc")));
    }

    [Fact]
    public void A_fifo_where_a_file_is_read_is_not_opened_for_reading()
    {
        Directory.CreateDirectory(Path.Combine(_root, "etc"));
        Sh.Run("mkfifo", Path.Combine(_root, "etc/passwd"));
        // Would block forever with a plain open; the owner check finds no passwd instead.
        Assert.Null(RootFs.ReadText(_root, "etc/passwd"));
        Assert.Throws<IOException>(() => RootFs.Rewrite(_root, "etc/passwd", "x"));
    }

    [Fact]
    public void A_script_swapping_the_debs_directory_for_a_link_mid_install_cannot_redirect_the_copies()
    {
        Directory.CreateDirectory(_root);
        using var debs = RootFs.TryCreatePinnedDirectory(_root, Installer.DebsDirectory)!;
        Assert.Null(RootFs.TryCreatePinnedDirectory(_root, Installer.DebsDirectory)); // taken: never reused
        // What a maintainer script running beside the copying could do.
        var inRoot = Path.Combine(_root, Installer.DebsDirectory);
        Directory.Move(inRoot, Path.Combine(_root, "moved"));
        File.CreateSymbolicLink(inRoot, Path.Combine(_host, "sub"));
        File.CreateSymbolicLink(Path.Combine(_root, "moved", "planted.deb"), Path.Combine(_host, "precious"));
        var before = HostHash();

        File.WriteAllText(debs.HostPath("a.deb"), "copy");
        Assert.Throws<IOException>(() => new FileStream(debs.HostPath("planted.deb"), FileMode.CreateNew).Dispose());
        // Nor read a host file in place of a copy.
        Assert.Throws<IOException>(() => debs.OpenRead("planted.deb").Dispose()); // O_NOFOLLOW: ELOOP
        File.Delete(Path.Combine(_root, "moved", "planted.deb"));
        Sh.Run("mkfifo", Path.Combine(_root, "moved", "planted.deb"));
        Assert.Equal($"'/{Installer.DebsDirectory}/planted.deb' is no longer a regular file; a maintainer script replaced it",
            Assert.Throws<IOException>(() => debs.OpenRead("planted.deb").Dispose()).Message);
        using (var copy = debs.OpenRead("a.deb")) Assert.Equal(4, copy.Length);

        Assert.Equal(before, HostHash());
        Assert.Equal("copy", File.ReadAllText(Path.Combine(_root, "moved", "a.deb"))); // the directory it made
    }
}
