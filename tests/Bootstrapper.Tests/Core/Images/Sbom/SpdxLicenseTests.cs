using Bootstrapper.Core.Images.Sbom;

namespace Bootstrapper.Tests.Core.Images.Sbom;

public class SpdxLicenseTests
{
    [Theory]
    [InlineData("MIT", "MIT")]
    [InlineData("GPL-2.0-or-later", "GPL-2.0-or-later")]
    [InlineData("GPL-2.0+", "GPL-2.0+")]
    [InlineData("mit and bsd-2-clause", "mit AND bsd-2-clause")]                   // Alpine writes lower case
    [InlineData("MIT OR  Apache-2.0", "MIT OR Apache-2.0")]
    [InlineData("(MIT OR Apache-2.0) AND Zlib", "(MIT OR Apache-2.0) AND Zlib")]
    [InlineData("GPL-3.0-or-later with GCC-exception-3.1", "GPL-3.0-or-later WITH GCC-exception-3.1")]
    [InlineData("LicenseRef-public-domain", "LicenseRef-public-domain")]
    [InlineData("DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2", "DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2")]
    [InlineData("NOASSERTION", "NOASSERTION")]
    [InlineData("NONE", "NONE")]
    [InlineData("((MIT))", "((MIT))")]
    public void Valid_expressions_are_normalised(string input, string expected)
    {
        Assert.True(SpdxLicense.TryNormalize(input, out var normalized));
        Assert.Equal(expected, normalized);
        Assert.Equal(expected, SpdxLicense.Sanitize(input));
    }

    [Theory]
    [InlineData("BSD variant", "LicenseRef-BSD-variant")]          // two ids with no operator
    [InlineData("MIT/X11", "LicenseRef-MIT-X11")]
    [InlineData("MIT OR", "LicenseRef-MIT-OR")]
    [InlineData("(MIT", "LicenseRef-MIT")]
    [InlineData("MIT AND NONE", "LicenseRef-MIT-AND-NONE")]         // NONE is not a term
    [InlineData("GPL-2+ with OpenSSL exception", "LicenseRef-GPL-2-with-OpenSSL-exception")]
    [InlineData("LicenseRef-", "LicenseRef-LicenseRef")]
    [InlineData("custom:foo", "LicenseRef-custom-foo")]
    [InlineData("AND", "LicenseRef-AND")]
    [InlineData("%%%", "NOASSERTION")]
    [InlineData("", "NOASSERTION")]
    [InlineData(null, "NOASSERTION")]
    public void Anything_else_becomes_a_license_ref_or_noassertion(string? input, string expected)
    {
        if (input is not null) Assert.False(SpdxLicense.TryNormalize(input, out _));
        var sanitized = SpdxLicense.Sanitize(input);
        Assert.Equal(expected, sanitized);
        Assert.True(SpdxLicense.TryNormalize(sanitized, out _)); // the result is always valid
    }

    [Fact]
    public void Lists_license_refs_but_not_external_document_refs()
    {
        Assert.Equal(["LicenseRef-a", "LicenseRef-b"],
            SpdxLicense.LicenseRefs("(LicenseRef-a OR MIT) AND LicenseRef-b AND LicenseRef-a AND DocumentRef-x:LicenseRef-c"));
    }
}
