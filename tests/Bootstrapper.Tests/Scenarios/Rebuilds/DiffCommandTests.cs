using System.Text.Json;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Images.Manifest;
using Bootstrapper.Tests.Engine.Archives;

namespace Bootstrapper.Tests.Scenarios.Rebuilds;

/// <summary>`bootstrap diff OLD NEW`: manifests beside images or given directly, text or JSON, exit 0 or 10.</summary>
public sealed class DiffCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("diff-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ManifestPackage Pkg(string name, string version, long size) =>
        new() { Name = name, Version = version, Architecture = "amd64", Size = size, Sha256 = new string(version[^1], 64) };

    /// <summary>
    /// Writes IMAGE (a one-file tar that differs exactly when <paramref name="sha"/> does) and IMAGE.manifest.json
    /// as a build would; returns the image path.
    /// </summary>
    private string Image(string name, string sha, params ManifestPackage[] packages) => Image("debian", name, sha, packages);

    private string Image(string family, string name, string sha, params ManifestPackage[] packages)
    {
        var image = Path.Combine(_dir, name);
        File.WriteAllBytes(image, new TarBuilder().File("./id", sha).Build());
        File.WriteAllText(image + ".manifest.json", new ImageManifest
        {
            Recipe = "base",
            Family = family,
            Architecture = "amd64",
            Image = new ImageFile(name, 1000, sha),
            Packages = packages,
        }.ToJson());
        return image;
    }

    [Fact]
    public async Task Identical_images_exit_0()
    {
        var a = Image("a.tar", "aa", Pkg("libc6", "2.36-9+deb12u9", 100));
        var b = Image("b.tar", "aa", Pkg("libc6", "2.36-9+deb12u9", 100));
        var (code, stdout, _) = await RebuildWorkspace.RunAsync("diff", a, b + ".manifest.json");
        Assert.Equal(0, code);
        Assert.Contains("No changes", stdout);
    }

    [Fact]
    public async Task An_upgrade_in_dpkg_order_exits_10_in_text_and_json()
    {
        // deb12u10 is newer than deb12u9 in dpkg's order, though not in ordinal string order.
        var a = Image("a.tar", "aa", Pkg("libc6", "2.36-9+deb12u9", 100), Pkg("usrmerge", "37~deb12u1", 50));
        var b = Image("b.tar", "bb", Pkg("libc6", "2.36-9+deb12u10", 160), Pkg("usr-is-merged", "37~deb12u1", 5));

        var text = await RebuildWorkspace.RunAsync("diff", a, b);
        Assert.Equal(ExitCodes.DiffChanged, text.Code);
        Assert.Contains("libc6", text.Stdout);
        Assert.Contains("2.36-9+deb12u10", text.Stdout);

        var json = await RebuildWorkspace.RunAsync("diff", a + ".manifest.json", b + ".manifest.json", "--json");
        Assert.Equal(ExitCodes.DiffChanged, json.Code);
        using var doc = JsonDocument.Parse(json.Stdout);
        var root = doc.RootElement;
        Assert.True(root.GetProperty("hasChanges").GetBoolean());
        var upgraded = Assert.Single(root.GetProperty("upgraded").EnumerateArray());
        Assert.Equal("2.36-9+deb12u9", upgraded.GetProperty("oldVersion").GetString());
        Assert.Equal("2.36-9+deb12u10", upgraded.GetProperty("newVersion").GetString());
        Assert.Empty(root.GetProperty("downgraded").EnumerateArray());
        Assert.Equal("usr-is-merged", Assert.Single(root.GetProperty("added").EnumerateArray()).GetProperty("name").GetString());
        Assert.Equal("usrmerge", Assert.Single(root.GetProperty("removed").EnumerateArray()).GetProperty("name").GetString());
        Assert.Equal(60 - 45, root.GetProperty("packageSizeChange").GetInt64());
    }

    [Fact]
    public async Task Alpine_images_compare_in_apk_version_order()
    {
        // r10 is newer than r9 for apk, though not in ordinal order.
        var a = Image("alpine", "a.tar", "aa", Pkg("busybox", "1.37.0-r9", 100));
        var b = Image("alpine", "b.tar", "bb", Pkg("busybox", "1.37.0-r10", 100));
        var json = await RebuildWorkspace.RunAsync("diff", a, b, "--json");
        Assert.Equal(ExitCodes.DiffChanged, json.Code);
        using var doc = JsonDocument.Parse(json.Stdout);
        Assert.Equal("busybox", Assert.Single(doc.RootElement.GetProperty("upgraded").EnumerateArray()).GetProperty("name").GetString());
    }

    [Fact]
    public async Task An_image_without_a_manifest_is_compared_by_its_files_only()
    {
        var a = Image("a.tar", "aa", Pkg("libc6", "2.36-9", 100));
        var lone = Path.Combine(_dir, "lone.tar");
        File.WriteAllBytes(lone, new TarBuilder().File("./id", "bb").Build());
        var (code, stdout, _) = await RebuildWorkspace.RunAsync("diff", a, lone);
        Assert.Equal(ExitCodes.DiffChanged, code);
        Assert.Contains("new: (no manifest)  lone.tar  unknown unknown  0 packages", stdout);
        Assert.Contains("Files: 0 added, 0 removed, 1 changed (0 unchanged)\n  ~ id: content sha256:", stdout);
    }

    [Fact]
    public async Task A_manifest_that_does_not_exist_is_a_clear_error()
    {
        var a = Image("a.tar", "aa", Pkg("libc6", "2.36-9", 100));
        var (code, _, stderr) = await RebuildWorkspace.RunAsync("diff", a + ".manifest.json", Path.Combine(_dir, "lone.tar.manifest.json"));
        Assert.Equal(ExitCodes.UsageOrRecipe, code);
        Assert.Contains("lone.tar.manifest.json: no such manifest", stderr);
    }
}
