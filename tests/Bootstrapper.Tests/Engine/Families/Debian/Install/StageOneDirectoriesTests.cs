using Bootstrapper.Engine.Archives;
using Bootstrapper.Engine.Families.Debian.Deb;
using Bootstrapper.Engine.Families.Debian.Install;
using Bootstrapper.Tests.Engine.Archives;
using Bootstrapper.Tests.Engine.Pipeline;

namespace Bootstrapper.Tests.Engine.Families.Debian.Install;

/// <summary>
/// Concurrent stage 1 must leave directories exactly as install-order extraction does: extracting in the reverse
/// order (one possible interleaving) and then applying <see cref="StageOneDirectories"/> gives the same tree.
/// </summary>
public sealed class StageOneDirectoriesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("stage1-dirs-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly (string Name, TarBuilder Data)[] Packages =
    [
        ("a", new TarBuilder().Dir("./").Dir("./usr/", mtime: 1_500_000_001).Dir("./usr/share/", mtime: 1_500_000_002)
            .File("./usr/share/a", "a").Dir("./opt/", mtime: 1_500_000_003).Dir("./opt/keep/", mtime: 1_500_000_004)),
        // Disagrees on usr/share's mode, owner and mtime (the first creator's win) and creates a directory in it.
        ("b", new TarBuilder().Dir("./").Dir("./usr/", (UnixFileMode)0x1C0, 1_500_000_011, uid: 7)
            .Dir("./usr/share/", (UnixFileMode)0x1C0, 1_500_000_012, uid: 7, gid: 8)
            .Dir("./usr/share/b/", mtime: 1_500_000_013).File("./usr/share/b/x", "x")
            .Dir("./opt/").Dir("./opt/keep/", (UnixFileMode)0x1FD, 1_500_000_014)),
        // Writes a file straight into a directory a created (touches it) and one of its own.
        ("c", new TarBuilder().Dir("./").Dir("./usr/").File("./usr/c", "c").Dir("./srv/", mtime: 1_500_000_021)
            .File("./srv/c", "c")),
    ];

    private List<ExtractedPackage> Extract(string root, IEnumerable<int> order)
    {
        Directory.CreateDirectory(root);
        var results = new ExtractedPackage[Packages.Length];
        foreach (var i in order)
        {
            using var deb = DebArchive.Open(new MemoryStream(TestDebs.Build(Packages[i].Name, "1", Packages[i].Data)), Packages[i].Name);
            results[i] = new SafeExtractor(root).Extract(deb);
        }
        return results.ToList();
    }

    private static Dictionary<string, (UnixFileMode Mode, long MTime, int Uid, int Gid)> Tree(string root) =>
        Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories).ToDictionary(
            d => Path.GetRelativePath(root, d),
            d =>
            {
                var info = new DirectoryInfo(d);
                var (uid, gid) = Owner(d);
                return (info.UnixFileMode, new DateTimeOffset(info.LastWriteTimeUtc).ToUnixTimeSeconds(), uid, gid);
            });

    private static (int, int) Owner(string path)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%u %g", path]) { RedirectStandardOutput = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var parts = p.StandardOutput.ReadToEnd().Split(' ', StringSplitOptions.TrimEntries);
        p.WaitForExit();
        return (int.Parse(parts[0]), int.Parse(parts[1]));
    }

    [Fact]
    public void Reverse_order_plus_the_recomputed_outcome_equals_install_order()
    {
        var sequentialRoot = Path.Combine(_dir, "seq");
        var reversedRoot = Path.Combine(_dir, "rev");
        Extract(sequentialRoot, [0, 1, 2]);
        Directory.CreateDirectory(reversedRoot);
        var preexisting = StageOneDirectories.Snapshot(reversedRoot);
        var results = Extract(reversedRoot, [2, 1, 0]);
        var outcomes = StageOneDirectories.Compute(results, preexisting);
        Assert.NotNull(outcomes);
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        StageOneDirectories.Apply(outcomes, new ExtractOptions().ApplyOwners, now);

        var expected = Tree(sequentialRoot);
        var actual = Tree(reversedRoot);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (path, e) in expected)
        {
            var a = actual[path];
            Assert.True(e.Mode == a.Mode, $"{path}: mode {e.Mode} vs {a.Mode}");
            Assert.True((e.Uid, e.Gid) == (a.Uid, a.Gid), $"{path}: owner {e.Uid}:{e.Gid} vs {a.Uid}:{a.Gid}");
            // "Now" differs by the seconds between the two extractions; package mtimes must match exactly.
            if (e.MTime < 1_600_000_000) Assert.True(e.MTime == a.MTime, $"{path}: mtime {e.MTime} vs {a.MTime}");
            else Assert.True(a.MTime >= now - 5, $"{path}: touched in install order, but mtime {a.MTime}");
        }
        // The cases that matter, spelled out: first creator's metadata, touched by later packages or not.
        Assert.True(expected["usr"].MTime > 1_600_000_000); // c wrote usr/c after a had restored usr's mtime
        Assert.Equal(1_500_000_003, actual["opt"].MTime);
        Assert.Equal(1_500_000_004, actual["opt/keep"].MTime);
        Assert.Equal((UnixFileMode)0x1ED, actual["opt/keep"].Mode);
        Assert.Equal(1_500_000_013, actual["usr/share/b"].MTime);
        Assert.True(actual["usr/share"].MTime >= now - 5); // b created usr/share/b after a restored it
        Assert.Equal((UnixFileMode)0x1ED, actual["usr/share"].Mode);
        Assert.Equal(1_500_000_021, actual["srv"].MTime);
    }

    [Fact]
    public void A_directory_for_one_package_and_a_file_for_another_needs_install_order()
    {
        var root = Path.Combine(_dir, "conflict");
        var dir = new ExtractedPackage(["/.", "/x"], new Dictionary<string, string>(), 0)
        { Directories = [new DirectoryUse(root + "/x", new DirectoryMetadata(0, 0, 0x1ED, 1))] };
        var file = new ExtractedPackage(["/.", "/x"], new Dictionary<string, string>(), 1) { NonDirectories = [root + "/x"] };
        Assert.Null(StageOneDirectories.Compute([dir, file], new HashSet<string> { root }));
        Assert.Null(StageOneDirectories.Compute([file, dir], new HashSet<string> { root }));
        var skipped = new ExtractedPackage(["/.", "/x"], new Dictionary<string, string>(), 0) { SkippedSymlinks = [root + "/x"] };
        Assert.Null(StageOneDirectories.Compute([dir, skipped], new HashSet<string> { root }));
        var followed = new ExtractedPackage(["/.", "/x"], new Dictionary<string, string>(), 0) { FollowedSymlinks = [root + "/x"] };
        Assert.Null(StageOneDirectories.Compute([file, followed], new HashSet<string> { root }));
        Assert.NotNull(StageOneDirectories.Compute([dir, dir], new HashSet<string> { root }));
    }
}
