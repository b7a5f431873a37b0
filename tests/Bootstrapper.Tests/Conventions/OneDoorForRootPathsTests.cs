using System.Text.RegularExpressions;

namespace Bootstrapper.Tests.Conventions;

/// <summary>
/// Every host-side operation on a path inside the staging root goes through <c>RootFs</c> (which resolves it
/// chroot-style with <c>RootPathResolver</c> and never follows a symlink at the last component). A path joined by
/// hand (<c>Path.Combine(root, "etc/passwd")</c>) follows a package's <c>etc -&gt; /etc</c> link on the host: this
/// scan of src/ fails the moment such a join comes back.
/// </summary>
public sealed class OneDoorForRootPathsTests
{
    /// <summary>The door itself: the only files that may turn a root and a relative path into a host path.</summary>
    private static readonly string[] Door =
    [
        "src/Bootstrapper.Engine/Os/Files/RootFs.cs",
        "src/Bootstrapper.Engine/Archives/RootPathResolver.cs",
    ];

    /// <summary>
    /// Joins that look like root paths but are not paths inside a staging root; each says why. Keyed by file and the
    /// exact matched text, so a new join in the same file still fails.
    /// </summary>
    private static readonly (string File, string Match, string Why)[] Allowed =
    [
        ("src/Bootstrapper.Engine/Families/Debian/Repository/HostAptSources.cs", "Path.Combine(rootDirectory",
            "reads the build host's own /etc/apt (rootDirectory is \"/\" outside tests), never a staging root"),
        ("src/Bootstrapper.Engine/Families/Debian/Repository/RepositoryIndexCache.cs", "Path.Combine(Root",
            "Root is the index cache's folder under --cache, which no package can write into"),
        ("src/Bootstrapper.Engine/Families/Debian/Repository/DebianRepositoryRequest.cs", "$\"{Root}/",
            "a mirror URL, not a file path"),
        ("src/Bootstrapper.Engine/Families/Debian/Repository/DebianRepositoryClient.cs", "$\"{root}/",
            "a mirror URL, not a file path"),
    ];

    /// <summary>
    /// A path join whose first part is a root (root, _root, Root, rootDirectory, o.RootDirectory) or a directory
    /// the installer resolved inside one (dev, admin, info, triggers, debsDir): Path.Combine/Join, "+ \"/\"" and
    /// interpolation.
    /// </summary>
    private static readonly Regex HandJoin = new(
        @"Path\.(Combine|Join)\(\s*(\w+\.)*(_?[rR]oot\w*|\w*RootDirectory|dev|admin|info|triggers|debsDir)\b" +
        @"|\b_?[rR]oot\w*\s*\+\s*""/" +
        @"|\$""\{(\w+\.)*_?[rR]oot\w*\}/",
        RegexOptions.CultureInvariant);

    /// <summary>The resolver is the door's engine; besides the door only the extractor (its per-archive rules) uses it.</summary>
    private static readonly string[] ResolverUsers = [.. Door, "src/Bootstrapper.Engine/Archives/SafeExtractor.cs"];

    private static IEnumerable<(string File, int Line, string Text)> SourceLines()
    {
        var src = Path.Combine(RepoRoot.Path, "src");
        foreach (var file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(RepoRoot.Path, file).Replace('\\', '/');
            if (relative.Contains("/obj/", StringComparison.Ordinal) || relative.Contains("/bin/", StringComparison.Ordinal)) continue;
            var lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                var code = lines[i].TrimStart();
                if (code.StartsWith("//", StringComparison.Ordinal)) continue; // comments may show the bad pattern
                yield return (relative, i + 1, lines[i]);
            }
        }
    }

    [Fact]
    public void No_code_under_src_joins_a_root_path_by_hand()
    {
        var offending = new List<string>();
        foreach (var (file, line, text) in SourceLines())
        {
            if (Door.Contains(file)) continue;
            foreach (Match m in HandJoin.Matches(text))
                if (!Allowed.Any(a => a.File == file && m.Value.StartsWith(a.Match, StringComparison.Ordinal)))
                    offending.Add($"{file}:{line}: {m.Value}");
        }
        Assert.True(offending.Count == 0,
            "Paths inside the staging root must go through RootFs (chroot-style, never following a link at the end):\n" +
            string.Join('\n', offending));
    }

    [Fact]
    public void Only_the_door_and_the_extractor_use_the_resolver()
    {
        var offending = SourceLines()
            .Where(l => !ResolverUsers.Contains(l.File) && l.Text.Contains("RootPathResolver(", StringComparison.Ordinal))
            .Select(l => $"{l.File}:{l.Line}")
            .ToList();
        Assert.True(offending.Count == 0, "Use RootFs instead of a RootPathResolver of your own:\n" + string.Join('\n', offending));
    }

    [Fact]
    public void Every_allowed_join_still_exists()
    {
        // An allow-list entry whose code is gone would silently allow the next join in that file.
        var lines = SourceLines().ToList();
        foreach (var (file, match, _) in Allowed)
            Assert.Contains(lines, l => l.File == file && l.Text.Contains(match, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("var p = Path.Combine(root, \"etc/passwd\");")]
    [InlineData("var p = Path.Combine(_root, \"proc\");")]
    [InlineData("var p = Path.Join(o.RootDirectory, \"var/lib/dpkg\");")]
    [InlineData("var p = Path.Combine(dev, name);")]
    [InlineData("var p = root + \"/\" + rel;")]
    [InlineData("var p = $\"{root}/etc/hostname\";")]
    public void The_scan_recognises_hand_joins(string code) => Assert.Matches(HandJoin, code);
}
