using System.Formats.Tar;
using System.Text.Json;
using Bootstrapper.Core.Errors;
using Bootstrapper.Tests.Engine.Archives;

namespace Bootstrapper.Tests.Scenarios.Rebuilds;

/// <summary>`bootstrap diff A.tar B.tar` compares any two tars file by file, with or without bootstrap's manifests.</summary>
public sealed class FileDiffTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("file-diff-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, TarBuilder tar)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, tar.Build());
        return path;
    }

    private static TarBuilder Base() => new TarBuilder()
        .Dir("./").Dir("./etc").File("./etc/passwd", "root:x:0:0\n").File("./etc/motd", "hello\n")
        .Dir("./usr").Symlink("./bin", "usr/bin").File("./usr/tool", "v1", (UnixFileMode)0x1ED)
        .Device("./null", TarEntryType.CharacterDevice, 1, 3).File("./gone", "x");

    private string Old() => Write("old.tar", Base());

    private string New() => Write("new.tar", new TarBuilder()
        .Dir("./").Dir("./etc").File("./etc/passwd", "root:x:0:0\n").File("./etc/motd", "hello, world\n")
        .Dir("./usr").Symlink("./bin", "usr/sbin").File("./usr/tool", "v1", (UnixFileMode)0x9ED, uid: 0, gid: 42)
        .Device("./null", TarEntryType.CharacterDevice, 1, 5).File("./added", "new"));

    [Fact]
    public async Task Two_tars_without_manifests_are_compared_file_by_file()
    {
        var (code, stdout, _) = await RebuildWorkspace.RunAsync("diff", Old(), New());
        Assert.Equal(ExitCodes.DiffChanged, code);
        var files = stdout[stdout.IndexOf("Files:", StringComparison.Ordinal)..stdout.IndexOf("Same packages", StringComparison.Ordinal)];
        Assert.Equal(
            "Files: 1 added, 1 removed, 4 changed (4 unchanged)\n" +
            "  + added  file 0644 0:0 3 sha256:11507a0e2f5e\n" +
            "  - gone  file 0644 0:0 1 sha256:2d711642b726\n" +
            "  ~ bin: content -> usr/bin -> -> usr/sbin\n" +
            "  ~ etc/motd: size 6 -> 13; content sha256:5891b5b522d5 -> sha256:853ff93762a0\n" +
            "  ~ null: content 1,3 -> 1,5\n" +
            "  ~ usr/tool: mode 0755 -> 4755; owner 0:0 -> 0:42\n", files);
    }

    [Fact]
    public async Task Json_lists_the_same_with_every_attribute()
    {
        var (code, stdout, _) = await RebuildWorkspace.RunAsync("diff", Old(), New(), "--json");
        Assert.Equal(ExitCodes.DiffChanged, code);
        var files = JsonDocument.Parse(stdout).RootElement.GetProperty("files");
        Assert.Equal(["added"], files.GetProperty("added").EnumerateArray().Select(e => e.GetProperty("path").GetString()));
        Assert.Equal(["gone"], files.GetProperty("removed").EnumerateArray().Select(e => e.GetProperty("path").GetString()));
        var tool = files.GetProperty("changed").EnumerateArray().Single(c => c.GetProperty("path").GetString() == "usr/tool");
        Assert.Equal(["mode", "owner"], tool.GetProperty("changes").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("4755", tool.GetProperty("new").GetProperty("mode").GetString());
        Assert.Equal(4, files.GetProperty("unchanged").GetInt32());
    }

    [Fact]
    public async Task The_same_tree_compressed_differently_has_no_file_changes_but_another_image()
    {
        var plain = Old();
        var gz = Path.Combine(_dir, "old.tar.gz");
        using (var output = File.Create(gz))
        using (var zip = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Fastest))
            zip.Write(File.ReadAllBytes(plain));
        var (code, stdout, _) = await RebuildWorkspace.RunAsync("diff", plain, gz);
        Assert.Equal(ExitCodes.DiffChanged, code); // the image file differs
        Assert.Contains("Files: 0 added, 0 removed, 0 changed (9 unchanged)\n", stdout);
        var same = await RebuildWorkspace.RunAsync("diff", plain, plain);
        Assert.Equal(ExitCodes.Success, same.Code);
    }

    [Fact]
    public async Task Something_that_is_not_a_tar_is_named()
    {
        var junk = Path.Combine(_dir, "junk.tar");
        File.WriteAllText(junk, new string('x', 2000));
        var (code, _, stderr) = await RebuildWorkspace.RunAsync("diff", Old(), junk);
        Assert.Equal(ExitCodes.UsageOrRecipe, code);
        Assert.Contains($"error: {junk}: not a readable tar (", stderr);
    }
}
