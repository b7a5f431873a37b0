using System.Text.Json.Nodes;
using Bootstrapper.EndToEnd.Build;

namespace Bootstrapper.EndToEnd.Examples;

/// <summary>
/// recipes/examples: each image is reproducible, a healthy Debian system in podman (dpkg --audit, dpkg --verify,
/// apt-get check), and carries what its recipe asked for.
/// </summary>
[Collection(ExampleImagesCollection.Name)]
public sealed class ExampleImageTests(ExampleImages images)
{
    public static TheoryData<string> Names() => [.. ExampleImages.Names];

    [Theory, MemberData(nameof(Names))]
    public void Builds_reproducibly(string name) => Assert.Equal(images.Hashes[name].First, images.Hashes[name].Second);

    [Theory, MemberData(nameof(Names))]
    public void Dpkg_and_apt_are_clean_in_podman(string name) =>
        Assert.Equal("audit:\nverify:\ncheck: 0", images.InContainer(name,
            "echo audit:; dpkg --audit; echo verify:; dpkg --verify; apt-get check >/dev/null; echo \"check: $?\"").Trim());

    [Fact]
    public void Inhouse_image_trusts_the_internal_ca_runs_berlin_time_and_names_the_internal_mirror()
    {
        const string name = "inhouse-bookworm";
        Assert.Equal("/usr/local/share/ca-certificates/internal-ca.crt: OK", images.InContainer(name,
            "openssl verify -CAfile /etc/ssl/certs/ca-certificates.crt /usr/local/share/ca-certificates/internal-ca.crt").Trim());
        Assert.Equal("CET CEST", images.InContainer(name, "date -d @1700000000 +%Z; date -d @1690000000 +%Z").Trim().Replace('\n', ' '));
        Assert.Equal("uid=1000(app) gid=1000(app) groups=1000(app),100(users)", images.InContainer(name, "id app").Trim());
        Assert.Equal("app:x:1000:1000:Application user:/home/app:/bin/bash", images.InContainer(name, "getent passwd app").Trim());
        Assert.Equal("app /home/app", images.InContainer(name, "whoami; echo $HOME", user: "app").Trim().Replace('\n', ' '));
        var sources = images.InContainer(name, "cat /etc/apt/sources.list.d/debian.sources");
        Assert.Contains("URIs: http://mirror.internal/debian\n", sources);
        Assert.Contains("URIs: http://mirror.internal/debian-security\n", sources);
        Assert.Contains("Signed-By: /etc/apt/keyrings/inhouse-archive.asc\n", sources);
        Assert.Equal(File.ReadAllText(Path.Combine(RepoRoot.Path, "recipes/examples/files/inhouse-archive.asc")),
            images.InContainer(name, "cat /etc/apt/keyrings/inhouse-archive.asc"));
    }

    [Fact]
    public void Python_image_runs_the_application_as_its_user()
    {
        Assert.Equal("hello from python 3.11 as app in /opt/app",
            images.InContainer("python3-bookworm", "cd /opt/app && python3 hello.py", user: "app").Split('\n')[0]);
        Assert.Equal("app:app 644", images.InContainer("python3-bookworm", "stat -c '%U:%G %a' /opt/app/hello.py").Trim());
        Assert.Equal("LANG=C.UTF-8", images.InContainer("python3-bookworm", "cat /etc/default/locale").Trim());
    }

    [Fact]
    public void Slim_image_has_no_docs_man_pages_or_translations_but_keeps_copyrights_and_the_dpkg_filter()
    {
        const string name = "slim-bookworm";
        Assert.Equal("0 0 0", images.InContainer(name,
            "echo $(find /usr/share/man /usr/share/info /usr/share/locale -mindepth 1 | wc -l) " +
            "$(find /usr/share/doc -mindepth 2 ! -name copyright | wc -l) $(find /usr/share/doc -mindepth 1 -maxdepth 1 -type d ! -exec test -e {}/copyright ';' -print | wc -l)").Trim());
        Assert.Contains("path-exclude /usr/share/man/*\n", images.InContainer(name, "cat /etc/dpkg/dpkg.cfg.d/bootstrap-minimize"));
        var plain = Sh.Run("tar", "-tf", Path.Combine(images.WorkDir, "slim-bookworm.tar")).Ok("tar -t").Stdout;
        Assert.DoesNotContain("./usr/share/man/man1/bash.1.gz", plain);
    }

    [Fact]
    public void Manifest_and_sbom_record_every_added_file_and_run_step()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(images.ImagePath("inhouse-bookworm") + ".manifest.json"))!;
        var files = manifest["files"]!.AsArray().Select(f => ((string)f!["path"]!, (string?)f["sha256"])).ToList();
        Assert.Equal(["/usr/local/share/ca-certificates/internal-ca.crt", "/etc/profile.d/inhouse.sh", "/etc/apt/keyrings/inhouse-archive.asc"],
            files.Select(f => f.Item1));
        Assert.Equal(Build.BuiltCli.Sha256(Path.Combine(RepoRoot.Path, "recipes/examples/files/internal-ca.crt")), files[0].Item2);
        Assert.Equal("trust-internal-ca after-packages update-ca-certificates",
            string.Join(" | ", manifest["runSteps"]!.AsArray().Select(s => $"{s!["name"]} {s["stage"]} {s["command"]}")));
        var sbom = JsonNode.Parse(File.ReadAllText(images.ImagePath("inhouse-bookworm") + ".spdx.json"))!;
        var sbomFiles = sbom["files"]!.AsArray().Select(f => (string)f!["fileName"]!).ToList();
        Assert.Equal(files.Select(f => "." + f.Item1), sbomFiles);
        Assert.Contains(sbom["annotations"]!.AsArray(), a => ((string)a!["comment"]!).StartsWith("run step trust-internal-ca (after-packages): update-ca-certificates"));
        // The python image's tree: the directory and its file, owned by the user.
        var python = JsonNode.Parse(File.ReadAllText(images.ImagePath("python3-bookworm") + ".manifest.json"))!;
        Assert.Equal("/opt/app directory 10001:10001 | /opt/app/hello.py file 10001:10001",
            string.Join(" | ", python["files"]!.AsArray().Select(f => $"{f!["path"]} {f["type"]} {f["owner"]}")));
    }
}
