using Bootstrapper.Core.Debian.Copyright;
using Bootstrapper.Core.Images.Sbom;

namespace Bootstrapper.Tests.Core.Debian.Copyright;

public class Dep5CopyrightTests
{
    private const string Header = "Format: https://copyright-format.invalid/1.0/\nUpstream-Name: x\n\n";

    private static string File(string filesStar, string? license, string extra = "") =>
        Header + extra + $"Files: {filesStar}\nCopyright: 2024 Someone\n" + (license is null ? "" : $"License: {license}\n") +
        " Full text of the licence,\n .\n second paragraph.\n";

    [Theory]
    [InlineData("GPL-2+", "GPL-2.0-or-later")]
    [InlineData("GPL-2", "GPL-2.0-only")]
    [InlineData("GPL-2.0+", "GPL-2.0-or-later")]
    [InlineData("gpl-3+", "GPL-3.0-or-later")]
    [InlineData("LGPL-2.1+", "LGPL-2.1-or-later")]
    [InlineData("LGPL-2", "LGPL-2.0-only")]
    [InlineData("AGPL-3+", "AGPL-3.0-or-later")]
    [InlineData("GFDL-NIV-1.3+", "GFDL-1.3-no-invariants-or-later")]
    [InlineData("BSD-3-clause", "BSD-3-Clause")]
    [InlineData("BSD-2-Clause", "BSD-2-Clause")]
    [InlineData("Expat", "MIT")]
    [InlineData("public-domain", "LicenseRef-public-domain")]
    [InlineData("Apache-2.0", "Apache-2.0")]
    [InlineData("GPL-1+ or Artistic", "GPL-1.0-or-later OR Artistic-1.0-Perl")]
    [InlineData("GPL-2+ and LGPL-2.1+", "GPL-2.0-or-later AND LGPL-2.1-or-later")]
    [InlineData("MIT or Apache-2.0 and Zlib", "MIT OR Apache-2.0 AND Zlib")]
    [InlineData("GPL-2+ or AFL-2.1, and Expat", "(GPL-2.0-or-later OR AFL-2.1) AND MIT")]
    [InlineData("GPL-2+ or AFL-2.1, and Expat and Tcl-BSDish", null)]        // dbus: Tcl-BSDish is not SPDX
    [InlineData("GPL-2+ or BSD-3-clause, and Expat", "(GPL-2.0-or-later OR BSD-3-Clause) AND MIT")]
    [InlineData("Expat, or GPL-2+ and ISC", "MIT OR (GPL-2.0-or-later AND ISC)")]
    [InlineData("GPL-2+ with Font exception", "GPL-2.0-or-later WITH Font-exception-2.0")]
    [InlineData("GPL-3+ with GCC-exception-3.1", "GPL-3.0-or-later WITH GCC-exception-3.1")]
    [InlineData("Apache-2.0 with LLVM exception", "Apache-2.0 WITH LLVM-exception")]
    [InlineData("APACHE-2-LLVM-EXCEPTIONS and Expat", "Apache-2.0 WITH LLVM-exception AND MIT")]
    [InlineData("APACHE-2-LLVM-EXCEPTIONS with Font exception", null)]
    [InlineData("Sleepycat and BSD-3-clause", "Sleepycat AND BSD-3-Clause")]
    [InlineData("GPL-2+ with OpenSSL exception", null)]                      // no single SPDX exception
    [InlineData("GPL-2+, Expat", null)]                                      // bare comma: undefined
    [InlineData("GPL", "GPL-1.0-or-later")]                                  // no version: "any version ever published"
    [InlineData("BSD-3-clause or GPL", "BSD-3-Clause OR GPL-1.0-or-later")]   // PAM's Files: *
    [InlineData("LGPL", "LGPL-2.0-or-later")]
    [InlineData("AGPL", null)]
    [InlineData("PD", "LicenseRef-public-domain")]                           // xz's Files: *
    [InlineData("GPL-2.0-or-later", "GPL-2.0-or-later")]                     // SPDX spellings
    [InlineData("LGPL-2.1-only", "LGPL-2.1-only")]
    [InlineData("GPL-2.0-or-later+", null)]
    [InlineData("GPL-4+", null)]
    [InlineData("LGPL-3.1", null)]
    [InlineData("BSD-variant", null)]
    [InlineData("MIT/X11", null)]
    [InlineData("GPL-2+ or", null)]
    [InlineData("or GPL-2+", null)]
    public void Maps_short_names_that_mean_one_spdx_id(string dep5, string? spdx)
    {
        Assert.Equal(spdx, Dep5Copyright.ToSpdx(dep5));
        Assert.Equal(spdx, Dep5Copyright.TryGetLicense(File("*", dep5)));
        if (spdx is not null) Assert.True(SpdxLicense.TryNormalize(spdx, out var normal) && normal == spdx);
    }

    [Fact]
    public void Uses_the_files_star_paragraph_not_the_first_one()
    {
        var text = Header +
                   "Files: debian/*\nCopyright: 2024 Packager\nLicense: GPL-2+\n\n" +
                   "Files: src/* *\n doc/*\nCopyright: 2024 Upstream\nLicense: BSD-3-clause\n\n" +
                   "License: BSD-3-clause\n Redistribution and use ...\n";
        Assert.Equal("BSD-3-Clause", Dep5Copyright.TryGetLicense(text));
    }

    [Fact]
    public void Header_license_is_the_fallback_without_a_files_star_paragraph()
    {
        var text = Header.TrimEnd('\n') + "\nLicense: GPL-2+ and BSD-3-clause\n\nFiles: debian/*\nLicense: GPL-2+\n";
        Assert.Equal("GPL-2.0-or-later AND BSD-3-Clause", Dep5Copyright.TryGetLicense(text));
        // ...but a Files: * paragraph wins over it.
        Assert.Equal("ISC", Dep5Copyright.TryGetLicense(text + "\nFiles: *\nLicense: ISC\n"));
    }

    [Fact]
    public void Draft_format_specification_header_is_accepted() =>
        Assert.Equal("ISC", Dep5Copyright.TryGetLicense(
            "Format-Specification: http://svn.debian.invalid/dep5.mdwn?op=file&rev=135\n\nFiles: *\nLicense: ISC\n"));

    [Theory]
    [InlineData("This is the Debian prepackaged version of the GNU C Library.\n\nIt was put together by ...\n")]
    [InlineData("Upstream-Name: x\n\nFiles: *\nLicense: MIT\n")]                  // no Format header
    [InlineData(Header + "Files: debian/*\nLicense: GPL-2+\n")]                    // no Files: * paragraph
    [InlineData(Header + "Files: *\nCopyright: someone\n")]                        // Files: * without License
    [InlineData(Header + "Files: *\n License: MIT\n")]                             // only a continuation line
    [InlineData("Upstream-Name: x\n\nFormat: https://copyright-format.invalid/1.0/\nFiles: *\nLicense: MIT\n")]
    [InlineData("")]
    [InlineData("  leading continuation\nFormat: x\n")]                           // not deb822 at all
    public void Not_machine_readable_gives_null(string text) => Assert.Null(Dep5Copyright.TryGetLicense(text));

    // Real files from the host's /usr/share/doc (Essential or near-essential packages, present on any Debian).
    [Theory]
    [InlineData("dpkg", "GPL-2.0-or-later")]
    [InlineData("bash", "GPL-3.0-or-later")]
    [InlineData("debconf", "BSD-2-Clause")]
    [InlineData("base-passwd", "GPL-2.0-only")]
    [InlineData("perl-base", "GPL-1.0-or-later OR Artistic-1.0-Perl")]
    [InlineData("libc6", null)]                                                    // not machine-readable
    public void Reads_real_debian_copyright_files(string package, string? expected)
    {
        var path = $"/usr/share/doc/{package}/copyright";
        Assert.True(System.IO.File.Exists(path), $"{path} is missing: these tests need a Debian host with {package}");
        Assert.Equal(expected, Dep5Copyright.TryGetLicense(System.IO.File.ReadAllText(path)));
    }
}
