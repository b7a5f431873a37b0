using System.Text.Json;
using Bootstrapper.Cli.Commands;
using Bootstrapper.Engine.Archives;
using Bootstrapper.Engine.Families.Debian.Deb;
using Bootstrapper.Tests.Engine.Archives;
using Bootstrapper.Tests.Fixtures;

namespace Bootstrapper.Tests.Scenarios.Ubuntu;

/// <summary>
/// A repository shaped like Ubuntu noble's, built and signed here: .debs with zstd control and data members (what
/// Ubuntu ships since 21.10, made by dpkg-deb -Zzstd) and Ubuntu's priorities, where apt is "important" (Debian:
/// "required") and so is ubuntu-keyring. A recipe with archive "ubuntu" resolves minbase the way debootstrap does
/// for noble: Essential and required packages, plus apt and what it needs; nothing that is only important.
/// </summary>
public sealed class UbuntuRepositoryTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private byte[] ZstdDeb(string name, string version)
    {
        var pkg = _temp.Sub("pkg-" + name);
        Directory.CreateDirectory(Path.Combine(pkg, "DEBIAN"));
        File.WriteAllText(Path.Combine(pkg, "DEBIAN/control"),
            $"Package: {name}\nVersion: {version}\nArchitecture: amd64\nMaintainer: Test <test@fixture.invalid>\nDescription: fixture {name}\n");
        Directory.CreateDirectory(Path.Combine(pkg, "usr/share/doc", name));
        File.WriteAllText(Path.Combine(pkg, "usr/share/doc", name, "copyright"), $"{name} fixture\n");
        var deb = Path.Combine(_temp.Path, $"{name}.deb");
        Sh.Run("dpkg-deb", "-Zzstd", "--root-owner-group", "--build", pkg, deb);
        return File.ReadAllBytes(deb);
    }

    private SignedDebianRepository Noble()
    {
        var repo = new SignedDebianRepository { Suite = "noble", ReleaseSuite = "noble", ReleaseCodename = "noble" };
        // Ubuntu noble's fields for these packages (Priority, Essential, the dependency shape), not their contents.
        repo.AddPackage("dpkg", "1.22.6ubuntu6", ZstdDeb("dpkg", "1.22.6ubuntu6"), extraFields: "Essential: yes\nPriority: required\nPre-Depends: libc6");
        repo.AddPackage("base-files", "13ubuntu10", ZstdDeb("base-files", "13ubuntu10"), extraFields: "Essential: yes\nPriority: required");
        repo.AddPackage("libc6", "2.39-0ubuntu8", ZstdDeb("libc6", "2.39-0ubuntu8"), extraFields: "Priority: required");
        repo.AddPackage("gpgv", "2.4.4-2ubuntu17", ZstdDeb("gpgv", "2.4.4-2ubuntu17"), extraFields: "Priority: required\nDepends: libc6");
        repo.AddPackage("apt", "2.7.14build2", ZstdDeb("apt", "2.7.14build2"),
            extraFields: "Priority: important\nDepends: base-files, gpgv, libc6, ubuntu-keyring");
        repo.AddPackage("ubuntu-keyring", "2023.11.28.1", ZstdDeb("ubuntu-keyring", "2023.11.28.1"), extraFields: "Priority: important");
        repo.AddPackage("ubuntu-minimal", "1.539", ZstdDeb("ubuntu-minimal", "1.539"), extraFields: "Priority: important\nDepends: apt");
        repo.AddPackage("less", "590-2ubuntu2", ZstdDeb("less", "590-2ubuntu2"), extraFields: "Priority: standard");
        return repo;
    }

    private string Recipe(string mirror)
    {
        File.WriteAllBytes(Path.Combine(_temp.Path, "fixture.gpg"), TestKey.Default.PublicKeyringBytes);
        var recipe = Path.Combine(_temp.Path, "noble.toml");
        File.WriteAllText(recipe, $"""
            name = "ubuntu-noble-fixture"
            family = "debian"
            architecture = "amd64"
            keyrings = ["fixture.gpg"]
            [[sources]]
            suite = "noble"
            archive = "ubuntu"
            mirror = "{mirror}"
            [packages]
            variant = "minbase"
            """);
        return recipe;
    }

    [Fact]
    public async Task Minbase_has_apt_although_ubuntu_makes_it_important()
    {
        using var server = new RepositoryServer(Noble());
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["plan", Recipe(server.BaseUrl), "--json", "--cache", _temp.Sub("cache")], stdout, stderr);
        Assert.True(code == 0, stderr.ToString());

        using var plan = JsonDocument.Parse(stdout.ToString());
        var packages = plan.RootElement.GetProperty("packages").EnumerateArray()
            .ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("reason").GetString()!);
        Assert.Equal(["apt", "base-files", "dpkg", "gpgv", "libc6", "ubuntu-keyring"], packages.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("requested by variant minbase", packages["apt"]);
        Assert.StartsWith("dependency of apt", packages["ubuntu-keyring"]);
        Assert.Equal("Priority: required", packages["gpgv"]);
    }

    [Fact]
    public async Task Zstd_debs_are_fetched_verified_and_extract()
    {
        using var server = new RepositoryServer(Noble());
        var cache = _temp.Sub("cache");
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["fetch", Recipe(server.BaseUrl), "--cache", cache], new StringWriter(), stderr);
        Assert.True(code == 0, stderr.ToString());

        // Every cached package is a zstd .deb as Ubuntu ships them, and extracts.
        var debs = Directory.EnumerateFiles(Path.Combine(cache, "packages"), "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(DecodedDataCache.Suffix, StringComparison.Ordinal) && !f.EndsWith(DecodedDataCache.MacSuffix, StringComparison.Ordinal))
            .ToList();
        Assert.Equal(6, debs.Count);
        foreach (var deb in debs)
        {
            Assert.Contains("data.tar.zst", Sh.Run("ar", "t", deb));
            using var archive = DebArchive.OpenFile(deb);
            var root = _temp.Sub("x-" + Path.GetFileName(deb));
            new SafeExtractor(root).Extract(archive);
            Assert.Single(Directory.EnumerateFiles(Path.Combine(root, "usr/share/doc"), "copyright", SearchOption.AllDirectories));
        }
    }
}
