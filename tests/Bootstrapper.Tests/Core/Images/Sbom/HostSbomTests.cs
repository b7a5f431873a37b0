using System.Diagnostics;
using Bootstrapper.Core.Debian.Control;
using Bootstrapper.Core.Debian.Copyright;
using Bootstrapper.Core.Images.Manifest;
using Bootstrapper.Core.Images.Sbom;

namespace Bootstrapper.Tests.Core.Images.Sbom;

/// <summary>
/// The licence mapping and the SBOM writer on real data: every copyright file and every installed package of the
/// (Debian) host running the tests. Reads /usr/share/doc and /var/lib/dpkg/status; writes nothing.
/// </summary>
public class HostSbomTests(ITestOutputHelper output)
{
    private static IEnumerable<string> CopyrightFiles() =>
        Directory.EnumerateDirectories("/usr/share/doc")
            .Select(d => Path.Combine(d, "copyright"))
            .Where(File.Exists)
            .Order(StringComparer.Ordinal);

    [Fact]
    public void Every_host_copyright_file_gives_null_or_a_valid_spdx_expression()
    {
        int files = 0, mapped = 0;
        foreach (var path in CopyrightFiles())
        {
            files++;
            var license = Dep5Copyright.TryGetLicense(File.ReadAllText(path));
            if (license is null) continue;
            mapped++;
            Assert.True(SpdxLicense.TryNormalize(license, out var normal) && normal == license, $"{path}: {license}");
        }
        output.WriteLine($"{mapped} of {files} copyright files map to an SPDX expression");
        Assert.True(files >= 20, "expected a Debian host with /usr/share/doc/*/copyright files");
        Assert.True(mapped * 2 > files, $"only {mapped} of {files} mapped: the mapping is too strict or broken");
    }

    [Fact]
    public void Sboms_of_the_host_installed_packages_are_valid_spdx_and_cyclonedx()
    {
        var status = Deb822.Parse(File.ReadAllText("/var/lib/dpkg/status"),
            f => f is "Package" or "Version" or "Architecture" or "Installed-Size" or "Status" or "Source",
            "/var/lib/dpkg/status");
        var packages = status
            .Where(p => p["Status"] == "install ok installed")
            .Select(p =>
            {
                var name = p["Package"]!;
                var copyright = $"/usr/share/doc/{name}/copyright";
                return new ManifestPackage
                {
                    Name = name,
                    Version = p["Version"]!,
                    Architecture = p["Architecture"]!,
                    Size = long.Parse(p["Installed-Size"] ?? "0") * 1024,
                    Source = p["Source"]?.Split(' ')[0],
                    License = File.Exists(copyright) ? Dep5Copyright.TryGetLicense(File.ReadAllText(copyright)) : null,
                };
            })
            .ToList();
        var manifest = new ImageManifest
        {
            Recipe = "host",
            Family = "debian",
            Architecture = "amd64",
            SourceDateEpoch = 1_700_000_000,
            Image = new ImageFile("host.tar", 1, new string('0', 64)),
            Packages = packages,
            Os = OsRelease.Parse(File.ReadAllText("/etc/os-release")),
        };

        var clock = Stopwatch.StartNew();
        var json = SpdxDocument.Write(manifest, "debian", DateTimeOffset.UnixEpoch);
        var writeMs = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        Assert.Empty(SpdxSchema.Violations(json));
        var validateMs = clock.Elapsed.TotalMilliseconds;
        Assert.Empty(SpdxSchema.SpecProblems(json));
        Assert.Empty(CycloneDxSchema.Violations(CycloneDxDocument.Write(manifest, "debian", DateTimeOffset.UnixEpoch)));
        output.WriteLine($"{packages.Count} packages, {packages.Count(p => p.License is not null)} with a licence, " +
                         $"{json.Length / 1024} KiB; write {writeMs:0} ms, schema validation {validateMs:0} ms");
        Assert.True(packages.Count > 20);
    }
}
