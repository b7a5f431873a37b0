using Bootstrapper.Core.Alpine.Versions;
using Bootstrapper.Tests.Fixtures.Alpine;

namespace Bootstrapper.Tests.Core.Alpine.Versions;

public class ApkVersionTests
{
    /// <summary>Every line of apk-tools' test/unit/version.data, interpreted as apk's version_test.c does.</summary>
    [Fact]
    public void Apk_tools_vectors_all_hold()
    {
        var failures = new List<string>();
        int checkedLines = 0;
        foreach (var raw in File.ReadLines(TestData.PathOf("version.data")))
        {
            var line = raw.Split('#')[0].Trim();
            if (line.Length == 0) continue;
            checkedLines++;
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            bool ok;
            if (parts.Length == 3)
            {
                var op = parts[1];
                bool invert = op.StartsWith('!');
                if (invert) op = op[1..];
                ok = ApkVersion.Matches(parts[0], Mask(op), parts[2]) != invert;
            }
            else
            {
                var v = line;
                bool invert = v.StartsWith('!');
                if (invert) v = v[1..];
                ok = ApkVersion.IsValid(v) != invert;
            }
            if (!ok) failures.Add(line);
        }
        Assert.True(checkedLines > 700, $"only {checkedLines} vectors read");
        Assert.Empty(failures);
    }

    private static ApkVersionOp Mask(string op)
    {
        var m = ApkVersionOp.None;
        foreach (var c in op)
            m |= c switch
            {
                '<' => ApkVersionOp.Less,
                '>' => ApkVersionOp.Greater,
                '=' => ApkVersionOp.Equal,
                '~' => ApkVersionOp.Fuzzy | ApkVersionOp.Equal,
                _ => throw new InvalidDataException(op),
            };
        return m;
    }

    [Theory]
    [InlineData("1.0", "1.0_rc1", 1)]
    [InlineData("1.0_p1", "1.0", 1)]
    [InlineData("1.0-r1", "1.0-r0", 1)]
    [InlineData("1.0~abc-r1", "1.0-r1", 1)] // a commit hash token sorts after a plain revision
    [InlineData("2.10", "2.9", 1)]
    [InlineData("1.01", "1.1", -1)]
    [InlineData("1.2.3", "1.2.3", 0)]
    public void Compare_orders(string a, string b, int expected)
    {
        Assert.Equal(expected, ApkVersion.Compare(a, b));
        Assert.Equal(-expected, ApkVersion.Compare(b, a));
    }

    [Theory]
    [InlineData("busybox>=1.36", "busybox", (int)(ApkVersionOp.Greater | ApkVersionOp.Equal), "1.36")]
    [InlineData("!foo", "foo", (int)(ApkVersionOp.Conflict | ApkVersionOp.Any), null)]
    [InlineData("so:libc.musl-x86_64.so.1", "so:libc.musl-x86_64.so.1", (int)ApkVersionOp.Any, null)]
    [InlineData("musl~1.2", "musl", (int)(ApkVersionOp.Fuzzy | ApkVersionOp.Equal), "1.2")]
    [InlineData("a<2", "a", (int)ApkVersionOp.Less, "2")]
    public void Parses_dependencies(string text, string name, int op, string? version)
    {
        var d = ApkDependency.Parse(text, "test");
        Assert.Equal(name, d.Name);
        Assert.Equal((ApkVersionOp)op, d.Op);
        Assert.Equal(version, d.Version);
        Assert.Equal(text, d.ToString());
    }

    [Fact]
    public void Fuzzy_matches_by_token_prefix()
    {
        var d = ApkDependency.Parse("musl~1.2", "test");
        Assert.True(d.IsSatisfiedBy("1.2.5-r0"));
        Assert.False(d.IsSatisfiedBy("1.3.0-r0"));
    }
}
