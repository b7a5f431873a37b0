using Bootstrapper.Core.Debian.Control;
using Bootstrapper.Core.Debian.Versions;

namespace Bootstrapper.Tests.Core.Debian.Control;

/// <summary>Relationship field syntax (Debian Policy 7.1): groups, alternatives, constraints, qualifiers, restrictions.</summary>
public sealed class ResolverRelationParsingTests
{
    [Fact]
    public void Commas_and_bars_make_groups_of_alternatives()
    {
        var groups = RelationParser.Parse("libc6 (>= 2.34), debconf (>= 0.5) | debconf-2.0, zlib1g");
        Assert.Equal(3, groups.Count);
        Assert.Equal(["debconf", "debconf-2.0"], groups[1].Alternatives.Select(a => a.Name));
        var libc = groups[0].Alternatives[0];
        Assert.Equal(VersionRelation.LaterOrEqual, libc.Op);
        Assert.Equal("2.34", libc.Version!.Text);
    }

    [Theory]
    [InlineData("foo(>=1.0)", "foo (>= 1.0)")]
    [InlineData("foo ( << 2:1.0-1~ )", "foo (<< 2:1.0-1~)")]
    [InlineData("foo (< 1)", "foo (<= 1)")]
    [InlineData("foo (> 1)", "foo (>= 1)")]
    [InlineData("foo (=1)", "foo (= 1)")]
    [InlineData("perl:any", "perl:any")]
    [InlineData("python3:native (>= 3.11)", "python3:native (>= 3.11)")]
    [InlineData("foo [amd64 i386]", "foo [amd64 i386]")]
    [InlineData("foo [!hurd-any] <!nocheck> <stage1 cross>", "foo [!hurd-any]")]
    [InlineData("\n foo\n  (>= 1)\n", "foo (>= 1)")]
    public void One_relation_parses_and_prints_canonically(string text, string canonical)
    {
        Assert.Equal(canonical, RelationParser.Parse(text).Single().ToString());
    }

    [Theory]
    [InlineData("foo (>= 1", "missing ')'")]
    [InlineData("foo (~ 1)", "bad version relation")]
    [InlineData("foo (>= 1.0_x)", "bad version '1.0_x'")]
    [InlineData("Foo", "invalid package name 'Foo'")]
    [InlineData("foo, , bar", "empty relation")]
    [InlineData("foo | | bar", "empty alternative")]
    [InlineData("foo [amd64 !i386]", "mixes negated and plain")]
    [InlineData("foo (>= 1) (<< 2)", "two version constraints")]
    [InlineData("foo bar", "unexpected 'bar'")]
    public void Malformed_is_a_FormatException_quoting_the_field(string text, string reason)
    {
        var e = Assert.Throws<FormatException>(() => RelationParser.Parse(text));
        Assert.Contains(reason, e.Message);
        Assert.Contains($"'{text}'", e.Message);
    }

    [Fact]
    public void Trailing_comma_and_empty_field_are_accepted()
    {
        Assert.Single(RelationParser.Parse("foo,"));
        Assert.Empty(RelationParser.Parse(""));
        Assert.Empty(RelationParser.Parse(null));
    }

    [Theory]
    [InlineData("amd64", "amd64", true)]
    [InlineData("amd64", "any", true)]
    [InlineData("amd64", "linux-any", true)]
    [InlineData("amd64", "any-amd64", true)]
    [InlineData("amd64", "any-i386", false)]
    [InlineData("amd64", "hurd-any", false)]
    [InlineData("hurd-i386", "hurd-any", true)]
    [InlineData("arm64", "amd64", false)]
    public void Architecture_wildcards_match_like_dpkg(string arch, string pattern, bool expected)
    {
        Assert.Equal(expected, ArchitectureWildcard.Matches(arch, pattern));
    }

    [Fact]
    public void Architecture_restriction_applies_or_not()
    {
        var r = RelationParser.Parse("a [amd64 arm64], b [!amd64], c [!i386]");
        Assert.Equal([true, false, true], r.Select(g => g.Alternatives[0].AppliesTo("amd64")));
    }
}
