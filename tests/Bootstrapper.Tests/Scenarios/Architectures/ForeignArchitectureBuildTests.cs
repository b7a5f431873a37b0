using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Locking;
using Bootstrapper.Core.Recipes;
using Bootstrapper.Engine;
using Bootstrapper.Engine.Pipeline;
using Bootstrapper.Tests.Fixtures;
using Bootstrapper.Tests.Scenarios.Rebuilds;

namespace Bootstrapper.Tests.Scenarios.Architectures;

/// <summary>A foreign architecture on a host without emulation, and how a recipe names its images per architecture.</summary>
public sealed class ForeignArchitectureBuildTests : IDisposable
{
    private readonly RebuildWorkspace _ws = new();
    private readonly string _emptyBinfmt = Directory.CreateTempSubdirectory("binfmt-").FullName;

    public void Dispose()
    {
        _ws.Dispose();
        Directory.Delete(_emptyBinfmt, true);
    }

    [Fact]
    public async Task Without_emulation_an_arm64_build_stops_with_exit_2_before_anything_is_fetched()
    {
        var repo = RebuildWorkspace.Repository();
        repo.Architecture = "arm64";
        using var server = new RepositoryServer(repo);
        var recipe = RecipeArchitectures.Expand(RecipeLoader.Load(_ws.RecipePath), "arm64").Single();
        var options = new BuildOptions
        {
            MirrorOverride = server.BaseUrl,
            CacheDirectory = _ws.Cache(),
            ExtraKeyrings = [_ws.FixtureKeyring],
            Environment = new Dictionary<string, string> { ["BOOTSTRAP_BINFMT_MISC"] = _emptyBinfmt },
        };
        var e = await Assert.ThrowsAsync<RecipeException>(() => ImageBuilder.BuildAsync(recipe, options, NullReporter.Instance, default));
        Assert.Equal(ExitCodes.UsageOrRecipe, e.ExitCode);
        Assert.StartsWith($"this {ArchitectureSupport.Host.Machine} host cannot run arm64 (aarch64) programs", e.Message);
        Assert.Contains("apt-get install qemu-user-static binfmt-support", e.Message);
        Assert.Equal(0, server.RequestCount("dists/bookworm/InRelease"));
        Assert.False(Directory.Exists(_ws.Cache()));
        Assert.False(Directory.Exists(Path.GetDirectoryName(recipe.Output.Path)));
    }

    private Recipe Listing(params string[] architectures) => RecipeLoader.Load(_ws.RecipePath) with { Architectures = architectures };

    [Fact]
    public void A_recipe_listing_architectures_names_every_image_and_lock_for_its_architecture()
    {
        var images = RecipeArchitectures.Expand(Listing("amd64", "arm64"));
        Assert.Equal(["fixture-amd64", "fixture-arm64"], images.Select(r => r.Name));
        Assert.Equal(["amd64", "arm64"], images.Select(r => r.Architecture));
        Assert.Equal([Path.GetFullPath("out/fixture-amd64.tar"), Path.GetFullPath("out/fixture-arm64.tar")], images.Select(r => r.Output.Path));
        Assert.Equal([Path.Combine(_ws.Root, "fixture.amd64.lock.json"), Path.Combine(_ws.Root, "fixture.arm64.lock.json")],
            images.Select(LockFile.PathFor));
    }

    [Fact]
    public void The_recipes_own_architecture_keeps_its_names_and_another_one_chosen_on_the_command_line_does_not()
    {
        var recipe = RecipeLoader.Load(_ws.RecipePath);
        var own = RecipeArchitectures.Expand(recipe, "amd64").Single();
        Assert.Same(recipe, own);
        Assert.Equal(_ws.LockPath, LockFile.PathFor(own));
        var arm = RecipeArchitectures.Expand(recipe, "armhf").Single();
        Assert.Equal(("fixture-armhf", "armhf", Path.GetFullPath("out/fixture-armhf.tar")), (arm.Name, arm.Architecture, arm.Output.Path));
        Assert.Equal(Path.Combine(_ws.Root, "fixture.armhf.lock.json"), LockFile.PathFor(arm));
    }

    [Theory]
    [InlineData("/o/base.tar.zst", "/o/base-arm64.tar.zst")]
    [InlineData("/o/base.tar", "/o/base-arm64.tar")]
    [InlineData("/o/base.img", "/o/base-arm64.img")]
    [InlineData("/o/base", "/o/base-arm64")]
    [InlineData("/o/base.oci.tar", "/o/base-arm64.oci.tar")]
    [InlineData("/o/base.oci", "/o/base-arm64.oci")]
    public void The_architecture_goes_before_the_tar_extensions(string path, string expected) =>
        Assert.Equal(expected, RecipeArchitectures.OutputPathFor(path, "arm64"));

    [Fact]
    public void A_bad_architecture_option_is_refused() =>
        Assert.Equal("--architecture 'ARM64': give an architecture name such as arm64, armhf, i386 (Debian) or aarch64, armv7 (Alpine)",
            Assert.Throws<RecipeException>(() => RecipeArchitectures.Expand(RecipeLoader.Load(_ws.RecipePath), "ARM64")).Message);

    private void ListArchitectures() =>
        File.WriteAllText(_ws.RecipePath, File.ReadAllText(_ws.RecipePath).Replace("architecture = \"amd64\"", "architectures = [\"amd64\", \"arm64\"]"));

    [Fact]
    public async Task Locks_a_bundle_and_an_offline_plan_per_architecture_sharing_the_architecture_all_download()
    {
        var repo = new SignedDebianRepository();
        repo.MoreArchitectures.Add("arm64");
        var baseFiles = repo.AddPackage("base-files", "12.4", "base-files deb"u8.ToArray(), architecture: "all",
            extraFields: "Essential: yes\nPriority: required\nDepends: libc6");
        repo.AddPackage("libc6", "2.36-9", "libc6 amd64 deb"u8.ToArray(), extraFields: "Priority: required");
        repo.AddPackage("libc6", "2.36-9", "libc6 arm64 deb"u8.ToArray(), extraFields: "Priority: required", architecture: "arm64");
        using var server = new RepositoryServer(repo);
        ListArchitectures();
        string[] common = ["--mirror", server.BaseUrl, "--keyring", _ws.FixtureKeyring, "--cache", _ws.Cache()];

        var (code, stdout, stderr) = await RebuildWorkspace.RunAsync(["lock", _ws.RecipePath, .. common]);
        Assert.True(code == 0, stderr);
        foreach (var arch in new[] { "amd64", "arm64" })
        {
            var lockFile = LockFile.FromJson(File.ReadAllText(Path.Combine(_ws.Root, $"fixture.{arch}.lock.json")), arch);
            Assert.Equal(("fixture-" + arch, arch), (lockFile.Recipe, lockFile.Architecture));
            Assert.Equal([("base-files", "all"), ("libc6", arch)], lockFile.Packages.Select(p => (p.Name, p.Architecture)));
        }
        Assert.False(File.Exists(_ws.LockPath));

        var bundle = Path.Combine(_ws.Root, "bundle");
        (code, stdout, stderr) = await RebuildWorkspace.RunAsync(["fetch", _ws.RecipePath, "--bundle", bundle, "--locked", .. common]);
        Assert.True(code == 0, stderr);
        Assert.Equal(1, server.RequestCount(baseFiles));   // the Architecture: all package, fetched once for both
        // One bundle for both: each architecture's index, its libc6, and the one base-files.
        Assert.Equal(
            ["bootstrap-bundle.json", "dists/bookworm/InRelease", "dists/bookworm/main/binary-amd64/Packages.xz",
             "dists/bookworm/main/binary-arm64/Packages.xz", "pool/main/b/base-files/base-files_12.4_all.deb",
             "pool/main/libc/libc6/libc6_2.36-9_amd64.deb", "pool/main/libc/libc6/libc6_2.36-9_arm64.deb"],
            Directory.GetFiles(bundle, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(bundle, f)).Order(StringComparer.Ordinal));

        var offline = new StringWriter();
        code = await Bootstrapper.Cli.Commands.CliApp.RunAsync(["plan", _ws.RecipePath, "--architecture", "arm64", "--json", "-q",
            "--offline", "--mirror", new Uri(bundle + "/").AbsoluteUri, "--keyring", _ws.FixtureKeyring, "--cache", _ws.Cache("empty")],
            offline, offline);
        Assert.True(code == 0, offline.ToString());
        Assert.Contains("\"filename\": \"pool/main/libc/libc6/libc6_2.36-9_arm64.deb\"", offline.ToString());
    }

    [Fact]
    public async Task Plan_json_and_output_name_one_architecture()
    {
        ListArchitectures();
        var (code, _, stderr) = await RebuildWorkspace.RunAsync("plan", _ws.RecipePath, "--json");
        Assert.Equal(ExitCodes.UsageOrRecipe, code);
        Assert.Contains($"--json prints one plan; {_ws.RecipePath} lists 2 architectures (choose one with --architecture)", stderr);
        (code, _, stderr) = await RebuildWorkspace.RunAsync(_ws.RecipePath, "-o", "x.tar");
        Assert.Equal(ExitCodes.UsageOrRecipe, code);
        Assert.Contains("--output names one image; with several recipes or architectures each writes to its own [output] path", stderr);
    }
}
