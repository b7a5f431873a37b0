using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Families.Debian.Finalize;

namespace Bootstrapper.Tests.Engine.Families.Debian.Finalize;

public sealed class FinalizeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bootstrap-finalize-").FullName;
    private static readonly AptSource Bookworm = new(["deb"], ["http://mirror.example.invalid/debian"], ["bookworm", "bookworm-updates"], ["main"],
        "/usr/share/keyrings/debian-archive-keyring.gpg");

    public void Dispose() => Directory.Delete(_root, true);

    private void Touch(string rel, string content = "x")
    {
        var p = Path.Combine(_root, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(p)!);
        File.WriteAllText(p, content);
    }

    private bool Exists(string rel) => File.Exists(Path.Combine(_root, rel)) || Directory.Exists(Path.Combine(_root, rel));

    private FinalizeOptions Options(string? hostname = null, long? epoch = null) => new()
    {
        RootDirectory = _root,
        Suite = "bookworm",
        Sources = [Bookworm],
        Hostname = hostname,
        SourceDateEpoch = epoch,
    };

    [Fact]
    public void Removes_build_state_and_keeps_system_files()
    {
        foreach (var rel in new[]
                 {
                     "var/lib/dpkg/status", "var/lib/dpkg/status-old", "var/lib/dpkg/diversions-old", "var/cache/debconf/config.dat",
                     "var/cache/debconf/config.dat-old", "var/log/dpkg.log", "var/log/alternatives.log", "var/log/bootstrap.log",
                     "var/log/apt/history.log", "var/log/apt/eipp.log.xz", "var/log/lastlog", "var/cache/ldconfig/aux-cache",
                     "var/lib/apt/lists/lock", "var/lib/apt/lists/host_debian_dists_bookworm_InRelease", "var/lib/apt/lists/partial/x",
                     "var/cache/apt/pkgcache.bin", "var/cache/apt/srcpkgcache.bin", "var/cache/apt/archives/a_1_all.deb",
                     "var/cache/apt/archives/lock", "etc/resolv.conf", "etc/hostname", "var/cache/bootstrap-debs/b_1_all.deb", "etc/passwd",
                 })
            Touch(rel);
        var changed = Finalizer.Finalize(Options());

        foreach (var gone in new[]
                 {
                     "var/lib/dpkg/status-old", "var/lib/dpkg/diversions-old", "var/cache/debconf/config.dat-old", "var/log/dpkg.log",
                     "var/log/alternatives.log", "var/log/bootstrap.log", "var/log/apt/history.log", "var/log/apt/eipp.log.xz",
                     "var/cache/ldconfig/aux-cache", "var/lib/apt/lists/host_debian_dists_bookworm_InRelease", "var/lib/apt/lists/partial/x",
                     "var/cache/apt/pkgcache.bin", "var/cache/apt/srcpkgcache.bin", "var/cache/apt/archives/a_1_all.deb",
                     "etc/resolv.conf", "etc/hostname", "var/cache/bootstrap-debs",
                 })
        {
            Assert.False(Exists(gone), gone + " should be removed");
            Assert.Contains(gone, changed);
        }
        foreach (var kept in new[]
                 {
                     "var/lib/dpkg/status", "var/cache/debconf/config.dat", "var/log/lastlog", "var/log/apt", "var/lib/apt/lists/lock",
                     "var/lib/apt/lists/partial", "var/cache/apt/archives/lock", "etc/passwd",
                 })
            Assert.True(Exists(kept), kept + " should be kept");
        Assert.False(Exists("etc/machine-id"));
    }

    [Fact]
    public void Writes_deb822_sources_hostname_and_empties_machine_id()
    {
        Touch("var/lib/dpkg/status");
        Touch("etc/machine-id", "0123456789abcdef0123456789abcdef\n");
        Finalizer.Finalize(Options(hostname: "builder.example"));
        Assert.Equal("builder.example\n", File.ReadAllText(Path.Combine(_root, "etc/hostname")));
        Assert.Equal(0, new FileInfo(Path.Combine(_root, "etc/machine-id")).Length);
        Assert.Equal(
            "Types: deb\nURIs: http://mirror.example.invalid/debian\nSuites: bookworm bookworm-updates\nComponents: main\n" +
            "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n",
            File.ReadAllText(Path.Combine(_root, FinalizeAptSources.RelativePath)));
    }

    [Fact]
    public void Clamps_shadow_last_change_days_after_the_epoch()
    {
        Touch("var/lib/dpkg/status");
        Touch("etc/shadow", "root:*:20783:0:99999:7:::\nnobody:*:100:0:99999:7:::\nnew:*::0:99999:7:::\n");
        var changed = Finalizer.Finalize(Options(epoch: 1_700_000_000));
        Assert.Equal("root:*:19675:0:99999:7:::\nnobody:*:100:0:99999:7:::\nnew:*::0:99999:7:::\n", File.ReadAllText(Path.Combine(_root, "etc/shadow")));
        Assert.Contains("etc/shadow", changed);
    }

    [Theory]
    [InlineData("file:///srv/mirror")]
    [InlineData("copy:///srv/mirror")]
    [InlineData("/srv/mirror")]
    public void Build_host_paths_are_refused_as_apt_sources(string uri)
    {
        Touch("var/lib/dpkg/status");
        Touch("var/log/dpkg.log");
        var ex = Assert.Throws<RecipeException>(() => Finalizer.Finalize(Options() with { Sources = [Bookworm with { Uris = [uri] }] }));
        Assert.Contains($"'{uri}' is not a network URL", ex.Message);
        Assert.True(Exists("var/log/dpkg.log"), "nothing may change before the sources are validated");
    }

    [Theory]
    [InlineData("-bad")]
    [InlineData("a..b")]
    [InlineData("under_score")]
    [InlineData("")]
    public void Invalid_hostnames_are_refused(string name)
    {
        Touch("var/lib/dpkg/status");
        Assert.Throws<RecipeException>(() => Finalizer.Finalize(Options(hostname: name)));
    }

    [Fact]
    public void A_root_without_dpkg_database_is_refused()
    {
        var ex = Assert.Throws<InstallException>(() => Finalizer.Finalize(Options()));
        Assert.Contains("is not a configured root", ex.Message);
    }

    [Fact]
    public void Suite_with_white_space_is_refused() =>
        Assert.Throws<RecipeException>(() => FinalizeAptSources.Render([Bookworm with { Suites = ["bookworm main"] }]));

    [Fact]
    public void Writes_dpkg_arch_and_apt_marks_includes_manual_everything_else_automatic()
    {
        Touch("var/lib/dpkg/status");
        Directory.CreateDirectory(Path.Combine(_root, "var/lib/apt"));
        Finalizer.Finalize(Options() with
        {
            Architecture = "amd64",
            Installed = [("libc6", "amd64"), ("curl", "amd64"), ("ca-certificates", "all"), ("base-files", "amd64")],
            Manual = ["curl"],
        });
        Assert.Equal("amd64\n", File.ReadAllText(Path.Combine(_root, "var/lib/dpkg/arch")));
        Assert.Equal("Package: base-files\nArchitecture: amd64\nAuto-Installed: 1\n\n" +
                     "Package: ca-certificates\nArchitecture: amd64\nAuto-Installed: 1\n\n" +
                     "Package: libc6\nArchitecture: amd64\nAuto-Installed: 1\n",
            File.ReadAllText(Path.Combine(_root, "var/lib/apt/extended_states")));
    }

    [Fact]
    public void Without_apt_there_are_no_apt_marks()
    {
        Touch("var/lib/dpkg/status");
        Finalizer.Finalize(Options() with { Architecture = "amd64", Installed = [("base-files", "amd64")] });
        Assert.True(Exists("var/lib/dpkg/arch"));
        Assert.False(Exists("var/lib/apt/extended_states"));
    }
}
