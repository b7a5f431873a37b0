using Bootstrapper.Engine.Families.Debian.Repository;

namespace Bootstrapper.Tests.Engine.Families.Debian.Repository;

public sealed class HostAptSourcesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("apt-root").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Write(string relative, string text)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    [Fact]
    public void Reads_one_line_and_deb822_files_in_apt_order_and_ignores_other_endings()
    {
        Write("etc/apt/sources.list", """
            # comment line
            deb http://127.0.0.1:8080/debian/ bookworm main contrib # trailing comment
            deb-src http://127.0.0.1:8080/debian bookworm main
            deb [ arch=amd64,arm64 signed-by=/usr/share/keyrings/x.gpg ] http://127.0.0.1:8080/other stable main
            """);
        Write("etc/apt/sources.list.d/b.sources", """
            Types: deb deb-src
            # a comment inside the paragraph
            URIs: http://127.0.0.1:8081/debian http://127.0.0.1:8082/debian
            Suites: bookworm bookworm-updates
            Components: main
            Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

            Types: deb
            URIs: http://127.0.0.1:8083/disabled
            Suites: sid
            Components: main
            Enabled: no
            """);
        Write("etc/apt/sources.list.d/a.list", "deb file:///srv/mirror trixie main\n");
        Write("etc/apt/sources.list.d/c.list.disabled", "deb http://127.0.0.1:9/never bookworm main\n");
        Write("etc/apt/sources.list.d/d.sources.save", "Types: deb\nURIs: http://127.0.0.1:9/never\nSuites: x\n");

        var entries = HostAptSources.Read(_root);

        Assert.Equal(
        [
            "deb http://127.0.0.1:8080/debian bookworm main,contrib",
            "deb-src http://127.0.0.1:8080/debian bookworm main",
            "deb http://127.0.0.1:8080/other stable main",
            "deb file:///srv/mirror trixie main",
            "deb http://127.0.0.1:8081/debian bookworm,bookworm-updates main",
            "deb http://127.0.0.1:8082/debian bookworm,bookworm-updates main",
            "deb-src http://127.0.0.1:8081/debian bookworm,bookworm-updates main",
            "deb-src http://127.0.0.1:8082/debian bookworm,bookworm-updates main",
        ], entries.Select(e => $"{e.Type} {e.Uri} {string.Join(',', e.Suites)} {string.Join(',', e.Components)}"));
        Assert.Equal("/usr/share/keyrings/x.gpg", entries[2].SignedBy);
        Assert.Equal(["amd64", "arm64"], entries[2].Architectures);
        Assert.Equal("/usr/share/keyrings/debian-archive-keyring.gpg", entries[4].SignedBy);
        Assert.EndsWith("b.sources", entries[4].File);
    }

    [Fact]
    public void Inline_signed_by_key_is_kept_whole()
    {
        var entries = HostAptSources.ParseSources("""
            Types: deb
            URIs: http://127.0.0.1/debian
            Suites: bookworm
            Components: main
            Signed-By:
             -----BEGIN PGP PUBLIC KEY BLOCK-----
             .
             mDMEZ
             -----END PGP PUBLIC KEY BLOCK-----
            """, "inline.sources");
        var entry = Assert.Single(entries);
        Assert.Equal("-----BEGIN PGP PUBLIC KEY BLOCK-----\n.\nmDMEZ\n-----END PGP PUBLIC KEY BLOCK-----", entry.SignedBy);
    }

    [Fact]
    public void Candidate_mirrors_list_suite_matches_first_without_duplicates()
    {
        var entries = HostAptSources.ParseList("""
            deb http://127.0.0.1/debian bookworm main
            deb http://127.0.0.1/debian bookworm-updates main
            deb-src http://127.0.0.1/src bookworm-security main
            deb http://127.0.0.1/debian-security bookworm-security main
            """, "sources.list");
        Assert.Equal(["http://127.0.0.1/debian-security", "http://127.0.0.1/debian"],
            HostAptSources.CandidateMirrors(entries, "bookworm-security"));
        Assert.Equal(["http://127.0.0.1/debian", "http://127.0.0.1/debian-security"],
            HostAptSources.CandidateMirrors(entries, "trixie"));
    }

    [Fact]
    public void Missing_apt_directory_gives_no_entries() => Assert.Empty(HostAptSources.Read(_root));
}
