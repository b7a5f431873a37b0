using Bootstrapper.Core.Debian.Versions;

namespace Bootstrapper.Tests.Core.Debian.Versions;

/// <summary>dpkg's own vectors (lib/dpkg/t/t-version.c) plus the classic ordering cases of deb-version(5).</summary>
public sealed class DebVersionTests
{
    [Theory]
    // t-version.c test_version_compare / test_version_parse equalities
    [InlineData("0", "0", 0)]
    [InlineData("0-00", "00-0", 0)]
    [InlineData("1:2-3", "1:2-3", 0)]
    [InlineData("0:0-0", "0:0-0", 0)]
    [InlineData("0", "0:0", 0)]
    [InlineData("0:0.0-0.0", "0.0-0.0", 0)]
    [InlineData("1:0", "1:0", 0)]
    [InlineData("0:0-0-0", "0-0-0", 0)]
    [InlineData("0:09azAZ.-+~:-0", "0:09azAZ.-+~:-0", 0)]
    // epoch, upstream and revision differences
    [InlineData("0:0-0", "1:0-0", -1)]
    [InlineData("1:1", "2:0", -1)]
    [InlineData("1-1", "2-1", -1)]
    [InlineData("1-1", "1-2", -1)]
    [InlineData("0-a", "0-b", -1)]
    // deb-version(5): '~' before everything, even the end; letters before non-letters
    [InlineData("1.0~rc1", "1.0", -1)]
    [InlineData("1~~", "1~~a", -1)]
    [InlineData("1~~a", "1~", -1)]
    [InlineData("1~", "1", -1)]
    [InlineData("1", "1a", -1)]
    [InlineData("1a", "1+", -1)]
    [InlineData("1.0", "1.0+b1", -1)]
    [InlineData("1.0a", "1.0.", -1)]
    [InlineData("1.0", "1.0.0", -1)]
    [InlineData("1.0", "1.0-0", 0)]
    [InlineData("0:1", "1", 0)]
    [InlineData("1.00", "1.0", 0)]
    [InlineData("2.9", "2.10", -1)]
    [InlineData("99999999999999999999", "100000000000000000000", -1)]
    [InlineData("1:2.30-1", "2.31-1", 1)]
    [InlineData("2.36-9+deb12u1", "2.36-9+deb12u10", -1)]
    [InlineData("5.7-0.5~deb12u1", "5.7-0.5", -1)]
    public void Compare_orders_like_dpkg(string a, string b, int expected)
    {
        var va = DebVersion.Parse(a);
        var vb = DebVersion.Parse(b);
        Assert.Equal(expected, Math.Sign(DebVersion.Compare(va, vb)));
        Assert.Equal(-expected, Math.Sign(DebVersion.Compare(vb, va)));
        Assert.Equal(expected == 0, va.Equals(vb));
        if (expected == 0) Assert.Equal(va.GetHashCode(), vb.GetHashCode());
    }

    [Theory]
    [InlineData("0", 0, "0", "")]
    [InlineData("0:0-", null, null, null)]     // bookworm's dpkg 1.21: "revision number is empty"
    [InlineData("1:0", 1, "0", "")]
    [InlineData("5:1", 5, "1", "")]
    [InlineData("0:0-0-0", 0, "0-0", "0")]
    [InlineData("0:0-0-0-0", 0, "0-0-0", "0")]
    [InlineData("0:0:0-0", 0, "0:0", "0")]
    [InlineData("0:0:0:0-0", 0, "0:0:0", "0")]
    [InlineData("0:0:0-0-0", 0, "0:0-0", "0")]
    [InlineData("0:0-0:0-0", 0, "0-0:0", "0")]
    [InlineData("0:09azAZ.-+~:-0", 0, "09azAZ.-+~:", "0")]
    [InlineData("0:0-azAZ09.+~", 0, "0", "azAZ09.+~")]
    [InlineData("  \t0:0-1", 0, "0", "1")]
    [InlineData("0:0-1\t  ", 0, "0", "1")]
    [InlineData("+1:0", 1, "0", "")]            // strtol accepts a sign, so dpkg does too
    [InlineData("-0:1", 0, "1", "")]
    public void Parse_splits_epoch_upstream_revision(string text, int? epoch, string? upstream, string? revision)
    {
        if (epoch is null)
        {
            Assert.Throws<FormatException>(() => DebVersion.Parse(text));
            return;
        }
        var v = DebVersion.Parse(text);
        Assert.Equal(epoch, v.Epoch);
        Assert.Equal(upstream, v.Upstream);
        Assert.Equal(revision, v.Revision);
    }

    [Theory]
    [InlineData("", "version string is empty")]
    [InlineData("  ", "version string is empty")]
    [InlineData("0:", "nothing after colon in version number")]
    [InlineData("0:0 0-1", "version string has embedded spaces")]
    [InlineData("-1:0-1", "epoch in version is negative")]
    [InlineData("999999999999999999999999:0-1", "epoch in version is too big")]
    [InlineData("a:0-0", "epoch in version is empty")]   // dpkg reads the epoch with strtol
    [InlineData("A:0-0", "epoch in version is empty")]
    [InlineData("1a:0-0", "epoch in version is not number")]
    [InlineData("-0", "version number is empty")]
    [InlineData("0:-0", "version number is empty")]
    [InlineData("0:abc3-0", "version number does not start with digit")]
    [InlineData("0:0-0:0", "invalid character in revision number")]
    [InlineData(":1", "epoch in version is empty")]
    [InlineData("1.0-", "revision number is empty")]
    public void Parse_rejects_with_the_reason_dpkg_gives(string text, string reason)
    {
        var e = Assert.Throws<FormatException>(() => DebVersion.Parse(text));
        Assert.Equal($"invalid Debian version '{text}': {reason}", e.Message);
    }

    [Fact]
    public void Parse_rejects_every_character_dpkg_rejects()
    {
        foreach (var c in "!#@$%&/|\\<>()[]{};,_=*^'")
        {
            Assert.False(DebVersion.TryParse($"0:0{c}-0", out _), $"upstream with '{c}'");
            Assert.False(DebVersion.TryParse($"0:0-0{c}", out _), $"revision with '{c}'");
        }
        Assert.False(DebVersion.TryParse("0:0-0:", out _)); // ':' is allowed upstream only
    }

    [Theory]
    [InlineData("1-1", "1-1", true, false, true, false, true)]
    [InlineData("1-1", "2-1", false, true, true, false, false)]
    [InlineData("2-1", "1-1", false, false, false, true, true)]
    public void Satisfies_each_relation(string a, string b, bool eq, bool lt, bool le, bool gt, bool ge)
    {
        var va = DebVersion.Parse(a);
        var vb = DebVersion.Parse(b);
        Assert.Equal(eq, va.Satisfies("=", vb));
        Assert.Equal(lt, va.Satisfies("<<", vb));
        Assert.Equal(le, va.Satisfies("<=", vb));
        Assert.Equal(gt, va.Satisfies(">>", vb));
        Assert.Equal(ge, va.Satisfies(">=", vb));
        // Policy 7.1: the obsolete '<' and '>' mean '<=' and '>=', not strict.
        Assert.Equal(le, va.Satisfies("<", vb));
        Assert.Equal(ge, va.Satisfies(">", vb));
    }

    [Fact]
    public void Satisfies_unknown_operator_throws()
    {
        var v = DebVersion.Parse("1");
        var e = Assert.Throws<FormatException>(() => v.Satisfies("=>", v));
        Assert.Contains("'=>'", e.Message);
    }

    [Fact]
    public void Sorting_uses_dpkg_order()
    {
        var sorted = new[] { "1.0", "1.0~rc1", "1:0.1", "1.0+b1", "1.0-1", "0.9", "1.0a" }
            .Select(DebVersion.Parse).Order().Select(v => v.Text);
        Assert.Equal(["0.9", "1.0~rc1", "1.0", "1.0-1", "1.0a", "1.0+b1", "1:0.1"], sorted);
    }
}
