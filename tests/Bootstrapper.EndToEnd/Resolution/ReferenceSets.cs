namespace Bootstrapper.EndToEnd.Resolution;

/// <summary>Package-name sets recorded from the reference tools by scripts/refresh-reference-sets.sh.</summary>
internal static class ReferenceSets
{
    public static SortedSet<string> Load(string fileName)
    {
        var path = Path.Combine(RepositoryRoot(), "tests", "data", "reference-sets", fileName);
        return new SortedSet<string>(File.ReadAllLines(path)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#')), StringComparer.Ordinal);
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "tests", "data")) && File.Exists(Path.Combine(dir.FullName, "Bootstrapper.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"no repository root above {AppContext.BaseDirectory}");
    }

    /// <summary>Fails with both differences listed, so a mismatch can be read without a debugger.</summary>
    public static void AssertSameSet(IEnumerable<string> expected, IEnumerable<string> actual, string expectedName)
    {
        var e = new SortedSet<string>(expected, StringComparer.Ordinal);
        var a = new SortedSet<string>(actual, StringComparer.Ordinal);
        var missing = e.Except(a).ToList();
        var extra = a.Except(e).ToList();
        if (missing.Count == 0 && extra.Count == 0) return;
        Assert.Fail($"resolved set differs from {expectedName} ({e.Count} expected, {a.Count} resolved)\n" +
                    $"  missing (in {expectedName} only): {string.Join(' ', missing)}\n" +
                    $"  extra (resolved only): {string.Join(' ', extra)}");
    }
}
