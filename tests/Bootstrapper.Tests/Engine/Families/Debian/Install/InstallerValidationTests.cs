using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Planning;
using Bootstrapper.Engine.Families.Debian.Install;

namespace Bootstrapper.Tests.Engine.Families.Debian.Install;

public sealed class InstallerValidationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bootstrap-validate-").FullName;
    private readonly string _deb;

    public InstallerValidationTests()
    {
        _deb = Path.Combine(_dir, "x.deb");
        File.WriteAllText(_deb, "!<arch>\n");
    }

    public void Dispose() => Directory.Delete(_dir, true);

    private InstallRequest Request(params InstallPackage[] packages) => new()
    {
        RootDirectory = Path.Combine(_dir, "root"),
        Packages = packages.Length > 0 ? packages : [Pkg("dpkg", true)],
        Suite = "bookworm",
        Architecture = Installer.HostArchitecture(),
    };

    private InstallPackage Pkg(string name, bool essential, string? deb = null, string arch = "all") =>
        new(name, "1.0", arch, deb ?? _deb, essential);

    private static string Fails(InstallRequest r) => Assert.Throws<InstallException>(() => Installer.Validate(r)).Message;

    [Fact]
    public void A_good_request_passes() => Installer.Validate(Request(Pkg("dpkg", true), Pkg("apt", false)));

    [Fact]
    public void Relative_root() => Assert.Contains("absolute path", Fails(Request() with { RootDirectory = "root" }));

    [Fact]
    public void Non_empty_root()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "root/etc"));
        Assert.Contains("is not empty", Fails(Request()));
    }

    [Fact]
    public void Duplicate_package() => Assert.Contains("Package apt appears 2 times", Fails(Request(Pkg("dpkg", true), Pkg("apt", false), Pkg("apt", false))));

    [Fact]
    public void Essential_set_without_dpkg() => Assert.Contains("does not contain dpkg", Fails(Request(Pkg("dpkg", false))));

    [Fact]
    public void Missing_deb() => Assert.Contains("fetch it again", Fails(Request(Pkg("dpkg", true, Path.Combine(_dir, "gone.deb")))));

    [Fact]
    public void Bad_package_name() => Assert.Contains("'../x' is not a valid Debian package name", Fails(Request(Pkg("dpkg", true), Pkg("../x", false))));

    [Fact]
    public void Package_of_another_architecture() =>
        Assert.Contains("the plan mixes architectures", Fails(Request(Pkg("dpkg", true), Pkg("libc6", false, arch: "mips64el"))));

    [Fact]
    public void Essential_order_puts_base_passwd_then_base_files_first()
    {
        var order = Installer.OrderEssential([Pkg("dpkg", true), Pkg("base-files", true), Pkg("bash", true), Pkg("base-passwd", true)]);
        Assert.Equal(["base-passwd", "base-files", "dpkg", "bash"], order.Select(p => p.Name));
    }

    [Theory]
    [InlineData("bookworm", true)]
    [InlineData("noble", true)]
    [InlineData("trixie", false)]
    [InlineData("bullseye", false)]
    public void Merged_usr_links_are_ours_to_create_only_for_bookworm(string suite, bool ours) =>
        Assert.Equal(ours, InstallSuiteTraits.For(suite).BootstrapperCreatesMergedUsr);

    [Theory]
    [InlineData("amd64", "bin sbin lib lib32 lib64 libx32")]
    [InlineData("arm64", "bin sbin lib")]
    [InlineData("ppc64el", "bin sbin lib lib64")]
    public void Merged_usr_directories_follow_debootstrap(string arch, string dirs) =>
        Assert.Equal(dirs.Split(' '), InstallSuiteTraits.MergedUsrDirectories(arch));

    [Fact]
    public void Unused_multilib_links_are_pruned_and_used_ones_kept()
    {
        var root = Path.Combine(_dir, "merged");
        Directory.CreateDirectory(root);
        InstallMergedUsr.Create(root, "amd64");
        File.WriteAllText(Path.Combine(root, "usr/lib64/ld-linux-x86-64.so.2"), "");
        Assert.Equal(["/lib32", "/libx32"], InstallMergedUsr.PruneUnused(root, "amd64"));
        Assert.Equal("usr/lib64", new FileInfo(Path.Combine(root, "lib64")).LinkTarget);
        Assert.Equal("usr/bin", new FileInfo(Path.Combine(root, "bin")).LinkTarget);
        Assert.False(Directory.Exists(Path.Combine(root, "usr/lib32")));
        Assert.Null(new FileInfo(Path.Combine(root, "lib32")).LinkTarget);
    }

    [Fact]
    public void Merged_usr_refuses_a_real_directory_in_the_way()
    {
        var root = Path.Combine(_dir, "unmerged");
        Directory.CreateDirectory(Path.Combine(root, "bin"));
        Assert.Contains("is not a link to usr/bin", Assert.Throws<InstallException>(() => InstallMergedUsr.Create(root, "amd64")).Message);
    }

    [Theory]
    [InlineData("./sbin/start-stop-daemon", "/sbin/start-stop-daemon")]
    [InlineData("usr/sbin/start-stop-daemon", "/usr/sbin/start-stop-daemon")]
    [InlineData("/sbin/x", "/sbin/x")]
    public void Archive_paths_are_normalized(string p, string expected) => Assert.Equal(expected, Installer.NormalizeArchivePath(p));

    [Fact]
    public void Install_package_from_a_plan_entry_carries_name_version_and_priority()
    {
        var planned = new PlannedPackage
        {
            Name = "mawk",
            Version = "1.3.4.20200120-3.1",
            Architecture = "amd64",
            Size = 1,
            Filename = "pool/main/m/mawk/x.deb",
            RepositoryUrl = "http://mirror.example.invalid/debian",
            Reason = "priority required",
        };
        Assert.Equal(new InstallPackage("mawk", "1.3.4.20200120-3.1", "amd64", "/c/mawk.deb", true) { Size = 1 },
            InstallPackage.From(planned, "/c/mawk.deb", inEssentialSet: true));
    }
}
