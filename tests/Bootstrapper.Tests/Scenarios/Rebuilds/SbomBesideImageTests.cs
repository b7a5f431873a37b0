using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Images.Manifest;
using Bootstrapper.Core.Images.Sbom;
using Bootstrapper.Engine.Families.Debian.Finalize;
using Bootstrapper.Engine.Output;
using Bootstrapper.Tests.Core.Images.Sbom;

namespace Bootstrapper.Tests.Scenarios.Rebuilds;

/// <summary>
/// The licences a build puts into its manifest and SBOM come from the installed root's copyright files, read as
/// inside a chroot; the SBOM written from such a manifest is valid SPDX 2.3 (schema and the specification's extra rules).
/// </summary>
public sealed class SbomBesideImageTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("sbom-root-").FullName;
    private readonly string _outside = Directory.CreateTempSubdirectory("sbom-outside-").FullName;

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        Directory.Delete(_outside, recursive: true);
    }

    private const string Dep5 = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n" +
                                "Files: *\nCopyright: 2024 Someone\nLicense: {0}\n";

    private void Copyright(string package, string license)
    {
        Directory.CreateDirectory(Path.Combine(_root, "usr/share/doc", package));
        File.WriteAllText(Path.Combine(_root, "usr/share/doc", package, "copyright"), string.Format(Dep5, license));
    }

    [Fact]
    public void Licences_come_from_dep5_copyright_files_following_symlinks_inside_the_root_only()
    {
        Copyright("bash", "GPL-3+");
        Copyright("libc6", "LGPL-2.1+");
        // Debian's usual doc-dir symlink between binary packages of one source.
        File.CreateSymbolicLink(Path.Combine(_root, "usr/share/doc/libc-bin"), "libc6");
        // An absolute link resolves inside the root, as in a chroot: to the root's own /etc, not the host's.
        Directory.CreateDirectory(Path.Combine(_root, "etc/doc-of-x"));
        File.WriteAllText(Path.Combine(_root, "etc/doc-of-x/copyright"), string.Format(Dep5, "MIT"));
        File.CreateSymbolicLink(Path.Combine(_root, "usr/share/doc/x"), "/etc/doc-of-x");
        // A link aiming outside the root through ".." stays at the root, where no such file exists.
        File.WriteAllText(Path.Combine(_outside, "copyright"), string.Format(Dep5, "Apache-2.0"));
        Directory.CreateDirectory(Path.Combine(_root, "usr/share/doc/evil"));
        File.CreateSymbolicLink(Path.Combine(_root, "usr/share/doc/evil/copyright"),
            "../../../../../../../../.." + _outside + "/copyright");
        Copyright("freeform", "do what you like"); // not an SPDX-mappable name

        var licenses = InstalledCopyrights.Licenses(_root, ["bash", "libc6", "libc-bin", "x", "evil", "freeform", "absent"]);

        Assert.Equal(new Dictionary<string, string>
        {
            ["bash"] = "GPL-3.0-or-later",
            ["libc-bin"] = "LGPL-2.1-or-later",
            ["libc6"] = "LGPL-2.1-or-later",
            ["x"] = "MIT",
        }, licenses);
    }

    [Fact]
    public void Sbom_from_a_manifest_with_installed_licences_is_valid_spdx()
    {
        Copyright("bash", "GPL-3+");
        var licenses = InstalledCopyrights.Licenses(_root, ["bash", "mawk"]);
        var manifest = new ImageManifest
        {
            Recipe = "debian-bookworm",
            Family = "debian",
            Architecture = "amd64",
            SourceDateEpoch = 1700000000,
            Image = new ImageFile("debian-bookworm.tar", 120_000_000, new string('c', 64)),
            Packages = new[] { ("bash", "5.2.15-2+b7"), ("mawk", "1.3.4.20200120-3.1") }.Select(p => new ManifestPackage
            {
                Name = p.Item1,
                Version = p.Item2,
                Architecture = "amd64",
                Size = 1000,
                Sha256 = new string('d', 64),
                License = licenses.GetValueOrDefault(p.Item1),
            }).ToList(),
        };
        var json = SpdxDocument.Write(manifest, "debian", DateTimeOffset.UnixEpoch);

        Assert.Empty(SpdxSchema.Violations(json));
        Assert.Empty(SpdxSchema.SpecProblems(json));
        Assert.Contains("\"licenseDeclared\": \"GPL-3.0-or-later\"", json);
        Assert.Contains("pkg:deb/debian/bash@5.2.15-2%2Bb7?arch=amd64", json);
    }
}

/// <summary>The manifest and SBOM beside an image: both written, or neither and no image either.</summary>
public sealed class ImageSidecarsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sidecars-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ImageManifest Manifest() => new()
    {
        Recipe = "debian-bookworm",
        Family = "debian",
        Architecture = "amd64",
        SourceDateEpoch = 1700000000,
        Image = new ImageFile("image.tar", 3, new string('c', 64)),
        Packages = [new ManifestPackage { Name = "bash", Version = "5.2.15-2+b7", Architecture = "amd64", Size = 10,
                                          Sha256 = new string('d', 64), License = "GPL-3.0-or-later" }],
    };

    [Fact]
    public void Manifest_and_valid_sbom_are_written_beside_the_image()
    {
        var image = Path.Combine(_dir, "image.tar");
        File.WriteAllText(image, "tar");
        ImageSidecars.Write(image, Manifest(), "debian", DateTimeOffset.UnixEpoch);

        Assert.Equal(["image.tar", "image.tar.cdx.json", "image.tar.manifest.json", "image.tar.spdx.json"],
            Directory.GetFiles(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("bash", ImageManifest.FromJson(File.ReadAllText(image + ".manifest.json"), "m").Packages[0].Name);
        Assert.Empty(SpdxSchema.Violations(File.ReadAllText(image + ".spdx.json")));
        Assert.Empty(CycloneDxSchema.Violations(File.ReadAllText(image + ".cdx.json")));
    }

    [Fact]
    public void Only_the_chosen_sbom_is_written_and_an_old_one_of_the_other_format_is_removed()
    {
        var image = Path.Combine(_dir, "image.tar");
        File.WriteAllText(image, "tar");
        ImageSidecars.Write(image, Manifest(), "debian", DateTimeOffset.UnixEpoch);
        ImageSidecars.Write(image, Manifest(), "debian", DateTimeOffset.UnixEpoch, SbomFormat.CycloneDx);
        Assert.Equal(["image.tar", "image.tar.cdx.json", "image.tar.manifest.json"],
            Directory.GetFiles(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void When_the_sbom_cannot_be_written_no_image_or_manifest_is_left()
    {
        var image = Path.Combine(_dir, "image.tar");
        File.WriteAllText(image, "tar");
        Assert.Throws<RecipeException>(() =>
            ImageSidecars.Write(image, Manifest(), "Not A Vendor", DateTimeOffset.UnixEpoch));
        Assert.Empty(Directory.GetFiles(_dir));
    }
}
