using Bootstrapper.Core.Alpine.Index;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Planning;

namespace Bootstrapper.Tests.Core.Planning;

/// <summary>Which package paths stay inside their repository (<see cref="RepositoryPath"/>), and Alpine's use of it.</summary>
public sealed class RepositoryPathTests
{
    [Theory]
    [InlineData("pool/main/b/bash/bash_5.2.15-2+b2_amd64.deb")]
    [InlineData("pool/main/libx/libxcrypt/libcrypt1_1%3a4.4.33-2_amd64.deb")] // an epoch, escaped as some archives do
    [InlineData("pool/main/a/a..b/a..b_1.0_all.deb")]
    public void Real_filenames_are_inside(string path) => Assert.Null(RepositoryPath.Problem(path));

    [Theory]
    [InlineData("", "it is empty")]
    [InlineData("../../etc/passwd", "it has a '..' segment")]
    [InlineData("pool/../../etc/passwd", "it has a '..' segment")]
    [InlineData("/etc/passwd", "it is an absolute path")]
    [InlineData("pool//x.deb", "it has an empty segment")]
    [InlineData("pool/./x.deb", "it has a '.' segment")]
    [InlineData("pool\\..\\x.deb", "it has a backslash")]
    [InlineData("pool/x.deb?../y", "it has a URL query or fragment")]
    [InlineData("pool/x.deb#y", "it has a URL query or fragment")]
    [InlineData("pool/x\n.deb", "it has a control character")]
    [InlineData("pool/%2e%2e/%2E%2E/etc/passwd", "it has a '..' segment once %-escapes are decoded")]
    [InlineData("%2fetc/passwd", "it is an absolute path once %-escapes are decoded")]
    [InlineData("pool%2f..%2fx.deb", "it has a '..' segment once %-escapes are decoded")]
    public void Escaping_paths_are_refused_with_the_reason(string path, string problem) =>
        Assert.Equal(problem, RepositoryPath.Problem(path));

    [Fact]
    public void An_alpine_file_name_is_one_segment() =>
        Assert.Equal("it has a '/'", RepositoryPath.FileNameProblem("x%2f1.0.apk"));

    [Theory]
    [InlineData("P:../../../tmp/x\nV:1.0-r0", "package '../../../tmp/x' version '1.0-r0' makes the file name '../../../tmp/x-1.0-r0.apk', which leaves the repository (it has a '..' segment)")]
    [InlineData("P:x\nV:1/../../../y", "package 'x' version '1/../../../y' makes the file name 'x-1/../../../y.apk', which leaves the repository (it has a '..' segment)")]
    public void An_alpine_index_whose_name_or_version_leaves_the_repository_is_refused(string stanza, string message)
    {
        var e = Assert.Throws<VerificationException>(() => ApkIndex.Parse($"C:Q1AAAA\n{stanza}\n", "APKINDEX"));
        Assert.Equal($"APKINDEX:1: {message}; the index is hostile or broken, so nothing is fetched from it.", e.Message);
    }

    [Theory]
    [InlineData('S')]
    [InlineData('I')]
    public void An_alpine_index_with_an_absurd_size_is_refused(char field)
    {
        var e = Assert.Throws<ResolutionException>(() =>
            ApkIndex.Parse($"C:Q1AAAA\nP:x\nV:1.0-r0\n{field}:9223372036854775807\n", "APKINDEX"));
        Assert.Equal($"APKINDEX:1: package 'x' has an absurd '{field}:' of 9223372036854775807 bytes (more than 1 TiB); the " +
                     "index is broken or hostile, so nothing is planned from it. Fix the repository, or drop it from the recipe.", e.Message);
    }
}
