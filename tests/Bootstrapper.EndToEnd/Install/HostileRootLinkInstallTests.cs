using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Families.Debian.Deb;
using Bootstrapper.Engine.Families.Debian.Install;

namespace Bootstrapper.EndToEnd.Install;

/// <summary>
/// Issue 10, point 2, on the real install path (bookworm minbase, the host's dpkg-deb for the hostile package, dpkg
/// in the chroot): an Essential package that links the .debs directory to a host directory, shipped in its data
/// member or made by its postinst while the .debs are being copied. A sentinel tree stands for the host's files and
/// must hash the same afterwards.
/// </summary>
public sealed class HostileRootLinkInstallTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("bootstrap-hostile-link-").FullName;
    private readonly HostSentinel _sentinel = new();
    private readonly string _host;

    public HostileRootLinkInstallTests() => _host = _sentinel.Directory;

    public void Dispose()
    {
        Directory.Delete(_work, recursive: true);
        _sentinel.Dispose();
    }

    private string HostHash() => _sentinel.Fingerprint();

    /// <summary>hostile_1.0_all.deb, Essential: yes, built with dpkg-deb: a symlink in its data and/or a postinst.</summary>
    private string BuildHostileDeb(bool shipsLink, string? postinst)
    {
        var src = Path.Combine(_work, "src");
        Directory.CreateDirectory(Path.Combine(src, "DEBIAN"));
        Directory.CreateDirectory(Path.Combine(src, "var/cache"));
        if (shipsLink) File.CreateSymbolicLink(Path.Combine(src, "var/cache/bootstrap-debs"), _host);
        File.WriteAllText(Path.Combine(src, "DEBIAN/control"),
            "Package: hostile\nVersion: 1.0\nArchitecture: all\nEssential: yes\nMaintainer: Tests <tests@example.invalid>\n" +
            "Priority: required\nDescription: links the bootstrapper's .debs directory to a host directory\n");
        if (postinst is not null)
        {
            File.WriteAllText(Path.Combine(src, "DEBIAN/postinst"), postinst);
            HostTools.RunOk("/bin/chmod", "0755", Path.Combine(src, "DEBIAN/postinst"));
        }
        var deb = Path.Combine(_work, "hostile_1.0_all.deb");
        HostTools.RunOk("/usr/bin/dpkg-deb", "--root-owner-group", "--build", src, deb);
        return deb;
    }

    private Task InstallAsync(string root, string deb) => Installer.InstallAsync(new InstallRequest
    {
        RootDirectory = root,
        Suite = "bookworm",
        Architecture = "amd64",
        Packages = MinbaseDebs.Get("bookworm").Append(new InstallPackage("hostile", "1.0", "all", deb, true)).ToList(),
    }, new SafeDebExtractor(), null, CancellationToken.None);

    [Fact]
    public async Task An_essential_package_shipping_the_debs_directory_as_a_host_link_is_refused()
    {
        var deb = BuildHostileDeb(shipsLink: true, postinst: null);
        var before = HostHash();
        var e = await Assert.ThrowsAsync<InstallException>(() => InstallAsync(Path.Combine(_work, "root"), deb));
        Assert.Equal(
            "package 'hostile' 1.0 ships /var/cache/bootstrap-debs, the directory where the bootstrapper puts the .debs for " +
            "dpkg; refusing to write the .debs through what the package put there. Remove that package from the recipe.", e.Message);
        Assert.Equal(before, HostHash());
    }

    [Fact]
    public async Task A_postinst_swapping_the_debs_directory_for_a_host_link_mid_install_reaches_nothing_of_the_host()
    {
        // Runs during dpkg --configure of the essential set, while the remaining .debs are still being copied.
        var deb = BuildHostileDeb(shipsLink: false, postinst:
            "#!/bin/sh\nset -e\nmv /var/cache/bootstrap-debs /var/cache/bootstrap-debs.moved\n" +
            $"ln -s {_host} /var/cache/bootstrap-debs\n");
        var root = Path.Combine(_work, "root");
        var before = HostHash();
        try
        {
            await InstallAsync(root, deb);
            // Installed: the copies went to the directory the bootstrapper made (now moved), dpkg read them there.
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(root, "var/cache/bootstrap-debs.moved"), "*.deb"));
            Assert.Null(new FileInfo(Path.Combine(root, "var/cache/bootstrap-debs")).LinkTarget);
            Assert.False(Directory.Exists(Path.Combine(root, "var/cache/bootstrap-debs")));
        }
        catch (InstallException e)
        {
            // Or dpkg, told to read /var/cache/bootstrap-debs/..., found the link's target empty inside the root.
            Assert.Contains("dpkg --install of", e.Message);
        }
        Assert.Equal(before, HostHash());
        Assert.True(HostTools.WaitFor(() => HostTools.ProcessesWithRoot(root).Count == 0, 5));
        Assert.Empty(HostTools.MountsUnder(root));
    }
}
