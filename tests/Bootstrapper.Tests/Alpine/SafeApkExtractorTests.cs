using System.Runtime.Versioning;
using Bootstrapper.Core.Alpine;
using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Alpine;
using Bootstrapper.Tests.Alpine.Fixtures;

namespace Bootstrapper.Tests.Alpine;

/// <summary>Hostile packages (signed by a trusted key: the signature says who built it, not that it is safe).</summary>
[UnsupportedOSPlatform("windows")]
public sealed class SafeApkExtractorTests : IDisposable
{
    private readonly string _base = Directory.CreateTempSubdirectory("apk-hostile-").FullName;
    private string Root => Path.Combine(_base, "root");
    private string Outside => Path.Combine(_base, "outside");

    public SafeApkExtractorTests()
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Outside);
    }

    public void Dispose() => Directory.Delete(_base, recursive: true);

    private static IReadOnlyList<ApkTarEntry> Entries(params FixtureEntry[] entries) =>
        ApkTar.Read(FixtureTar.Build(entries, withChecksums: true, endBlocks: true), "test");

    private void Extract(params FixtureEntry[] entries) =>
        new SafeApkExtractor().Extract(Root, Entries(entries), "evil-1.0-r0");

    [Theory]
    [InlineData("../outside/pwned")]
    [InlineData("etc/../../outside/pwned")]
    [InlineData("/etc/pwned")]
    [InlineData("./../outside/pwned")]
    public void TraversalNamesAreRefused(string name)
    {
        var e = Assert.Throws<InstallException>(() => Extract(FixtureEntry.Dir("etc"), FixtureEntry.File(name, "x")));
        Assert.StartsWith("evil-1.0-r0: refusing ", e.Message);
        Assert.Contains(name, e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Outside));
    }

    [Fact]
    public void WritingThroughRelativeSymlinkOutOfRootIsRefused()
    {
        var e = Assert.Throws<InstallException>(() => Extract(
            FixtureEntry.Symlink("escape", "../outside"),
            FixtureEntry.File("escape/pwned", "x")));
        Assert.Equal("evil-1.0-r0: 'escape/pwned' leads outside the root through a symlink; refused.", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Outside));
    }

    [Fact]
    public void AbsoluteSymlinkIsFollowedInsideTheRoot()
    {
        // As in a chroot, "/tmp" from inside the image means ROOT/tmp, never the host's /tmp.
        Extract(FixtureEntry.Dir("tmp"), FixtureEntry.Symlink("link", Outside), FixtureEntry.File("link/inside", "x"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Outside));
        Assert.Equal("x", File.ReadAllText(Root + Outside + "/inside"));
    }

    [Fact]
    public void FileReplacesSymlinkInsteadOfWritingThroughIt()
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
    public void HardlinkOutsideIsRefused(string target)
    {
        File.WriteAllText(Path.Combine(Outside, "victim"), "secret");
        Assert.Throws<InstallException>(() => Extract(FixtureEntry.Hardlink("stolen", target)));
        Assert.False(File.Exists(Path.Combine(Root, "stolen")));
    }

    [Fact]
    public void HardlinkThroughSymlinkToOutsideIsRefused()
    {
        File.WriteAllText(Path.Combine(Outside, "victim"), "secret");
        var e = Assert.Throws<InstallException>(() => Extract(
            FixtureEntry.Symlink("v", Path.Combine(Outside, "victim")),
            FixtureEntry.Hardlink("stolen", "v")));
        Assert.Contains("not a regular file", e.Message);
        Assert.Equal("secret", File.ReadAllText(Path.Combine(Outside, "victim")));
        Assert.False(File.Exists(Path.Combine(Root, "stolen")));
    }

    [Fact]
    public async Task InstallerStopsOnHostilePackage()
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
                Keyring = repo.Signer.Keyring(), World = ["evil"], Repositories = [], Architecture = "x86_64",
            }, CancellationToken.None));
        Assert.Equal("evil-1.0-r0: refusing path 'etc/../../outside/x' (it contains '..'): it could escape the root.", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Outside));
    }
}
