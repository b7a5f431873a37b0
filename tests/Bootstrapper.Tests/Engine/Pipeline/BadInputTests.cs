using Bootstrapper.Core.Architectures;
using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Pipeline;
using Bootstrapper.Tests.Fixtures;
using Bootstrapper.Tests.Scenarios.Rebuilds;

namespace Bootstrapper.Tests.Engine.Pipeline;

/// <summary>
/// Inputs that used to end in "internal error" (exit 1), some only after planning and downloading. Each must get
/// its documented exit code and one message naming the value and the fix; where the value is known up front, before
/// the mirror is asked anything (the server has received no request).
/// </summary>
public sealed class BadInputTests : IDisposable
{
    private readonly RebuildWorkspace _ws = new();
    private readonly RepositoryServer _server = new(RebuildWorkspace.Repository());

    public void Dispose()
    {
        _server.Dispose();
        _ws.Dispose();
    }

    private Task<(int Code, string Stdout, string Stderr)> BuildAsync(params string[] extra) =>
        RebuildWorkspace.RunAsync(["build", _ws.RecipePath, "--mirror", _server.BaseUrl, "--keyring", _ws.FixtureKeyring,
            .. extra.Contains("--cache") ? [] : new[] { "--cache", _ws.Cache() }, .. extra]);

    private async Task RefusedBeforeAnyRequest(int code, string message, params string[] extra)
    {
        var (exit, _, stderr) = await BuildAsync(extra);
        Assert.Equal("error: " + message + "\n", stderr);
        Assert.Equal(code, exit);
        Assert.Equal(0, _server.TotalRequests);
    }

    [Fact]
    public Task A_negative_source_date_epoch_is_refused_first() =>
        RefusedBeforeAnyRequest(ExitCodes.UsageOrRecipe,
            "--source-date-epoch -1 is before 1970; give a whole number of seconds, 0 or more (for example the last " +
            "commit's time: --source-date-epoch $(git log -1 --format=%ct))", "--source-date-epoch", "-1");

    [Fact]
    public Task A_cache_that_cannot_be_made_is_refused_first() =>
        RefusedBeforeAnyRequest(ExitCodes.UsageOrRecipe,
            "the cache folder '/proc/1/nope' is not writable (the file system there does not allow it); give one " +
            "you can write to with --cache DIR", "--cache", "/proc/1/nope");

    [Fact]
    public Task A_cache_folder_nobody_may_write_to_is_refused_first()
    {
        // Read-only for root too (sysfs), as a read-only mount is; permission bits would not stop root.
        Assert.Throws<UnauthorizedAccessException>(() => File.Create("/sys/kernel/.probe").Dispose());
        return RefusedBeforeAnyRequest(ExitCodes.UsageOrRecipe,
            "the cache folder '/sys/kernel' is not writable (permission denied); give one you can write to with --cache DIR",
            "--cache", "/sys/kernel");
    }

    [Fact]
    public Task An_output_below_a_file_is_refused_first()
    {
        var file = Path.Combine(_ws.Root, "existing");
        File.WriteAllText(file, "x");
        return RefusedBeforeAnyRequest(ExitCodes.UsageOrRecipe,
            $"the output folder '{file}' cannot be made: '{file}' is a file, not a folder; choose another output path " +
            "with -o (or [output] path in the recipe)", "-o", Path.Combine(file, "x.tar"));
    }

    [Fact]
    public async Task A_compression_that_contradicts_the_output_name_is_refused_first()
    {
        File.WriteAllText(_ws.RecipePath, File.ReadAllText(_ws.RecipePath) + "\ncompression = \"gzip\"\n");
        await RefusedBeforeAnyRequest(ExitCodes.UsageOrRecipe,
            "output.compression = \"gzip\" contradicts the output name 'x.tar.zst' (zstd); name the output .tar.gz, or " +
            "set compression = \"zstd\" (or \"auto\": by the name)", "-o", Path.Combine(_ws.Root, "x.tar.zst"));
    }

    [Fact]
    public async Task A_host_name_over_63_characters_is_refused_when_the_recipe_is_read()
    {
        var name = new string('a', 64);
        File.WriteAllText(_ws.RecipePath, File.ReadAllText(_ws.RecipePath) + $"\nhostname = \"{name}\"\n");
        await RefusedBeforeAnyRequest(ExitCodes.UsageOrRecipe,
            $"{_ws.RecipePath}:15: 'output.hostname' = \"{name}\" is not a valid host name (dot-separated " +
            "labels of 1-63 letters, digits and inner '-', at most 253 characters); shorten it, or leave it out (the " +
            "container runtime sets one)");
    }

    [Fact]
    public void A_foreign_architecture_without_an_emulator_is_refused_first()
    {
        var binfmt = Path.Combine(_ws.Root, "binfmt_misc"); // as on a host without qemu-user-static
        Directory.CreateDirectory(binfmt);
        var e = Assert.Throws<RecipeException>(() => ArchitectureSupport.Require("s390x",
            CpuArchitecture.X86_64, binfmt, _ => true));
        Assert.Contains("cannot run s390x (s390x) programs", e.Message);
        Assert.Contains("apt-get install qemu-user-static binfmt-support", e.Message);
        Assert.Equal(ExitCodes.UsageOrRecipe, e.ExitCode);
    }

    [Fact]
    public async Task A_file_mirror_that_records_no_origin_is_refused_at_plan_time()
    {
        var mirror = Path.Combine(_ws.Root, "plain-mirror");
        foreach (var (path, bytes) in RebuildWorkspace.Repository().BuildFiles())
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(mirror, path))!);
            File.WriteAllBytes(Path.Combine(mirror, path), bytes);
        }
        var url = new Uri(mirror + "/").AbsoluteUri.TrimEnd('/');
        var (code, _, stderr) = await RebuildWorkspace.RunAsync("build", _ws.RecipePath, "--mirror", url,
            "--keyring", _ws.FixtureKeyring, "--cache", _ws.Cache());
        Assert.Equal($"error: bookworm: the mirror {url} is a path on this machine and records no original mirror (it is " +
                     "not a bundle written by `bootstrap fetch --bundle`), so the image's apt sources would name a path; add " +
                     "mirror = \"URL\" (the mirror users of the image reach) to the recipe's [[sources]] entry for bookworm, " +
                     "or build from a bundle\n", stderr);
        Assert.Equal(ExitCodes.UsageOrRecipe, code);
        Assert.False(Directory.Exists(Path.Combine(_ws.Cache(), "packages")), "nothing may be downloaded");
    }

    [Fact]
    public async Task A_cached_package_path_that_is_a_folder_is_removed_and_fetched_again()
    {
        var fetch = new[] { "fetch", _ws.RecipePath, "--mirror", _server.BaseUrl, "--keyring", _ws.FixtureKeyring, "--cache", _ws.Cache() };
        var (code, _, stderr) = await RebuildWorkspace.RunAsync(fetch);
        Assert.True(code == 0, stderr);
        var deb = Directory.GetFiles(Path.Combine(_ws.Cache(), "packages"), "*.deb", SearchOption.AllDirectories).Order().First();
        File.Delete(deb);
        Directory.CreateDirectory(Path.Combine(deb, "inside"));

        (code, _, stderr) = await RebuildWorkspace.RunAsync(fetch);
        Assert.True(code == 0, stderr);
        Assert.True(File.Exists(deb), "not fetched again: " + stderr);
    }

    [Fact]
    public async Task Part_files_a_killed_build_left_are_removed_by_the_next_download_once_stale()
    {
        var packages = Path.Combine(_ws.Cache(), "packages", "sha256", "ab");
        Directory.CreateDirectory(packages);
        var stale = Path.Combine(packages, ".ab12.deb.4242.0123456789abcdef0123456789abcdef.part");
        var fresh = Path.Combine(packages, ".ab34.deb.4243.0123456789abcdef0123456789abcdef.part");
        File.WriteAllText(stale, "half");
        File.WriteAllText(fresh, "half");
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow - TimeSpan.FromHours(2));

        var (code, _, stderr) = await RebuildWorkspace.RunAsync("fetch", _ws.RecipePath, "--mirror", _server.BaseUrl,
            "--keyring", _ws.FixtureKeyring, "--cache", _ws.Cache());
        Assert.True(code == 0, stderr);
        Assert.False(File.Exists(stale), "an hour-old .part is nobody's");
        Assert.True(File.Exists(fresh), "a recent one may be another build's download in progress");
    }
}
