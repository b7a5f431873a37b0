using Bootstrapper.Core.Errors;
using Bootstrapper.Tests.Fixtures;
using Bootstrapper.Tests.Scenarios.Rebuilds;

namespace Bootstrapper.Tests.Engine.Pipeline;

/// <summary>
/// Correctly signed indices whose contents are hostile: a Filename that leaves the repository, sizes near
/// Int64.MaxValue, an Installed-Size no staging area can hold. Each is refused at plan time, before any package is
/// read or downloaded, with a message naming the index, the package and the value.
/// </summary>
public sealed class HostileIndexTests : IDisposable
{
    private readonly RebuildWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    /// <summary>The fixture universe plus one essential stanza with <paramref name="fields"/> (Filename, Size, SHA256...).</summary>
    private static SignedDebianRepository RepositoryWith(string fields)
    {
        var repo = RebuildWorkspace.Repository();
        repo.AddStanza("main", $"Package: evil\nVersion: 1.0\nArchitecture: amd64\nEssential: yes\nPriority: required\n{fields}");
        return repo;
    }

    private Task<(int Code, string Stdout, string Stderr)> RunAsync(string command, string mirror, params string[] extra) =>
        RebuildWorkspace.RunAsync([command, _ws.RecipePath, "--mirror", mirror, "--keyring", _ws.FixtureKeyring,
            "--cache", _ws.Cache(), .. extra]);

    /// <summary>Where evil's stanza starts: after base-files', libc6's and hello's.</summary>
    private const string EvilAt = "bookworm/main:30: package 'evil'";

    [Fact]
    public async Task A_filename_leaving_a_file_mirror_is_refused_before_anything_is_read()
    {
        // Beside the mirror: a host file the index points at, with its true size and hash (a public file, say
        // /etc/passwd, is as good): without the check, `fetch --bundle` read it as a package and copied it.
        var sentinel = Directory.CreateDirectory(Path.Combine(_ws.Root, "host")).FullName;
        var secret = "host data, not a package\n"u8.ToArray();
        File.WriteAllBytes(Path.Combine(sentinel, "secret"), secret);
        var repo = RepositoryWith($"Filename: ../host/secret\nSize: {secret.Length}\nSHA256: {SignedDebianRepository.Sha256(secret)}\n");
        var mirror = repo.WriteTo(Path.Combine(_ws.Root, "mirror"));
        var bundle = Path.Combine(_ws.Root, "bundle");

        var (code, _, stderr) = await RunAsync("fetch", mirror, "--bundle", bundle);

        Assert.True(code == ExitCodes.VerificationFailed, $"exit {code}: {stderr}");
        // The warning a plain local mirror earns (fetch only warns; a build refuses it), then the refusal.
        Assert.Matches(@"^\[ *\d+\.\ds\] warning: bookworm: the image's apt sources will name file://\S+, a path on this machine", stderr);
        Assert.EndsWith($"error: {EvilAt} has the Filename '../host/secret', which leaves the repository (it has a '..' " +
                        "segment); the index is hostile or broken, so nothing is fetched from it.\n", stderr);
        Assert.Equal(2, stderr.Count(c => c == '\n'));
        Assert.Equal(["secret"], Directory.EnumerateFileSystemEntries(sentinel).Select(Path.GetFileName));
        Assert.Equal(secret, File.ReadAllBytes(Path.Combine(sentinel, "secret")));
        Assert.False(Directory.Exists(bundle));
        Assert.False(Directory.Exists(Path.Combine(_ws.Cache(), "packages")));
    }

    [Theory]
    [InlineData("/etc/passwd", "it is an absolute path")]
    [InlineData("pool/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "it has a '..' segment once %-escapes are decoded")]
    public async Task A_filename_leaving_an_http_mirror_is_refused_before_anything_is_fetched(string filename, string problem)
    {
        using var server = new RepositoryServer(RepositoryWith($"Filename: {filename}\nSize: 10\nSHA256: {new string('a', 64)}\n"));

        var (code, _, stderr) = await RunAsync("fetch", server.BaseUrl);

        Assert.True(code == ExitCodes.VerificationFailed, $"exit {code}: {stderr}");
        Assert.Equal($"error: {EvilAt} has the Filename '{filename}', which leaves the repository ({problem}); the " +
                     "index is hostile or broken, so nothing is fetched from it.\n", stderr);
        Assert.Equal(0, server.RequestCount("pool/main/b/base-files/base-files_12.4_amd64.deb"));
    }

    [Theory]
    [InlineData("Size: 9223372036854775807\nInstalled-Size: 10\n", "Size of 9223372036854775807")]
    [InlineData("Size: 10\nInstalled-Size: 9223372036854775807\n", "Installed-Size of 9223372036854775807 KiB")]
    [InlineData("Size: 10\nInstalled-Size: 9007199254740992\n", "Installed-Size of 9007199254740992 KiB")]
    public async Task Absurd_sizes_are_refused_naming_the_package_and_field(string sizes, string what)
    {
        using var server = new RepositoryServer(RepositoryWith($"Filename: pool/main/e/evil/evil_1.0_amd64.deb\n{sizes}SHA256: {new string('a', 64)}\n"));

        var (code, _, stderr) = await RunAsync("plan", server.BaseUrl);

        Assert.True(code == ExitCodes.ResolutionFailed, $"exit {code}: {stderr}");
        Assert.Equal($"error: {EvilAt} has an absurd {what} (more than 1 TiB); the index is broken or hostile, so " +
                     "nothing is planned from it. Fix the repository, or drop it from the recipe.\n", stderr);
    }

    [Fact]
    public async Task A_plan_the_staging_area_cannot_hold_is_refused_before_downloading()
    {
        // 500 GiB installed: no /dev/shm and no test machine's disk has the 1 TiB this needs.
        var deb = "evil deb"u8.ToArray();
        var repo = RebuildWorkspace.Repository();
        repo.AddPackage("evil", "1.0", deb, extraFields: "Essential: yes\nPriority: required\nInstalled-Size: 524288000");
        using var server = new RepositoryServer(repo);

        var (code, _, stderr) = await RunAsync("build", server.BaseUrl, "-o", Path.Combine(_ws.Root, "out", "image.tar"));

        Assert.True(code == ExitCodes.InstallFailed, $"exit {code}: {stderr}");
        var staging = Path.Combine(_ws.Cache(), "staging");
        Assert.Matches($"^error: The staging directory {System.Text.RegularExpressions.Regex.Escape(staging)} has [0-9.]+ [KMGT]iB free; " +
                       @"this build needs 1000\.1 GiB there \(twice the packages' Installed-Size of 500\.0 GiB, and 64\.0 MiB\)\. " +
                       "Free some space, or set BOOTSTRAP_STAGING_DIR to a directory on a file system with room.\n$", stderr);
        Assert.Equal(0, server.RequestCount("pool/main/e/evil/evil_1.0_amd64.deb"));
        Assert.False(Directory.Exists(Path.Combine(_ws.Cache(), "packages")));
    }
}
