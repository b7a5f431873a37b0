using Bootstrapper.Cli.Commands;
using Bootstrapper.Core.Errors;
using Bootstrapper.Tests.Engine.Archives;
using Bootstrapper.Tests.Fixtures;

namespace Bootstrapper.Tests.Engine.Pipeline;

/// <summary>
/// Whole builds (`bootstrap RECIPE`) from a generated, signed repository whose only package is hostile. Each must
/// fail with a message naming the package and the path, exit 7, write no image, leave no staging root, and change
/// nothing outside the staging root (a sentinel folder on the host must stay as it was).
/// Needs root, like every Debian build.
/// </summary>
public sealed class HostileBuildTests : IDisposable
{
    private readonly TempDir _temp = new();
    private readonly string _sentinel = Directory.CreateTempSubdirectory("bootstrap-hostile-sentinel-").FullName;

    public HostileBuildTests() => File.WriteAllText(Path.Combine(_sentinel, "host-file"), "host data");

    public void Dispose()
    {
        _temp.Dispose();
        Directory.Delete(_sentinel, recursive: true);
    }

    private Task<string> BuildFails(string caseName, TarBuilder data) => BuildFails(caseName, TestDebs.Build("evil", "1.0", data));

    private async Task<string> BuildFails(string caseName, byte[] evilDeb)
    {
        var repo = new SignedDebianRepository();
        // The installer insists on dpkg in the essential set; a harmless stand-in is extracted before the hostile one.
        repo.AddPackage("dpkg", "1.0", TestDebs.Build("dpkg", "1.0", new TarBuilder().Dir("./").Dir("./usr").File("./usr/dpkg-stand-in", "x")),
            extraFields: "Essential: yes\nPriority: required");
        repo.AddPackage("evil", "1.0", evilDeb, extraFields: "Essential: yes\nPriority: required");
        using var server = new RepositoryServer(repo);

        var keyring = Path.Combine(_temp.Path, "fixture.gpg");
        File.WriteAllBytes(keyring, TestKey.Default.PublicKeyringBytes);
        var recipeName = $"hostile-{caseName}-{Guid.NewGuid():N}"[..40];
        var recipe = Path.Combine(_temp.Path, "hostile.toml");
        var output = Path.Combine(_temp.Sub("out"), "image.tar");
        File.WriteAllText(recipe, $"""
            name = "{recipeName}"
            family = "debian"
            architecture = "amd64"
            keyrings = ["fixture.gpg"]
            [[sources]]
            suite = "bookworm"
            mirror = "{server.BaseUrl}"
            [packages]
            variant = "essential"
            """);

        var stderr = new StringWriter();
        var code = await CliApp.RunAsync([recipe, "-o", output, "--cache", Path.Combine(_temp.Path, "cache"), "-q"],
            new StringWriter(), stderr);

        Assert.True(code == ExitCodes.InstallFailed, $"exit {code}: {stderr}");
        Assert.Equal(["host-file"], Directory.EnumerateFileSystemEntries(_sentinel).Select(Path.GetFileName));
        Assert.Equal("host data", File.ReadAllText(Path.Combine(_sentinel, "host-file")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(output)!));
        foreach (var parent in new[] { "/dev/shm/bootstrap-staging", Path.Combine(_temp.Path, "cache", "staging") })
            if (Directory.Exists(parent))
                Assert.DoesNotContain(Directory.EnumerateDirectories(parent), d => Path.GetFileName(d).StartsWith(recipeName));
        return stderr.ToString();
    }

    private static string Up => string.Concat(Enumerable.Repeat("../", 24));

    [Fact]
    public async Task Dot_dot_path_is_refused()
    {
        var msg = await BuildFails("dotdot", new TarBuilder().Dir("./").File($"./{Up}{_sentinelRel}/pwned", "x"));
        Assert.Contains("evil", msg);
        Assert.Contains("pwned", msg);
    }

    [Fact]
    public async Task Absolute_path_is_refused()
    {
        var msg = await BuildFails("absolute", new TarBuilder().File($"{_sentinel}/pwned", "x"));
        Assert.Contains("evil", msg);
        Assert.Contains("pwned", msg);
    }

    [Fact]
    public async Task Writing_through_a_symlink_that_points_out_is_refused_or_stays_inside()
    {
        var msg = await BuildFails("symlink", new TarBuilder().Dir("./").Symlink("./escape", _sentinel).File("./escape/pwned", "x"));
        Assert.Contains("evil", msg);
        Assert.Contains("escape", msg);
    }

    [Fact]
    public async Task Hardlink_to_a_host_file_is_refused()
    {
        var msg = await BuildFails("hardlink", new TarBuilder().Dir("./").HardLink("./stolen", $"{_sentinel}/host-file"));
        Assert.Contains("evil", msg);
        Assert.Contains("stolen", msg);
    }

    [Fact]
    public async Task Decompression_bomb_stops_at_its_unpack_limit()
    {
        // 1 MB of gzip that would unpack to 1 GiB of zeros, from a package that says it installs 1 KiB.
        var msg = await BuildFails("bomb", TestDebs.Bomb("evil", "1.0", 1L << 30, installedKiB: 1));
        Assert.Contains("evil unpacks to more than its limit of 64.0 MiB (2 x Installed-Size 1.0 KiB + 64.0 MiB): " +
                        "stopped at 64.3 MiB at member './zeros'. Its Installed-Size is wrong or the package is hostile " +
                        "(a decompression bomb); nothing of it is kept.\n", msg);
    }

    private string _sentinelRel => _sentinel.TrimStart('/');
}
