using Bootstrapper.Core.Debian.Control;
using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Families.Debian.Deb;
using Bootstrapper.Engine.Families.Debian.Install;
using Bootstrapper.Engine.Os.Processes;
using Bootstrapper.Tests.Engine.Archives;

namespace Bootstrapper.Tests.Engine.Families.Debian.Install;

/// <summary>
/// Recording an extracted package as unpacked must leave the dpkg database exactly as the host's real
/// <c>dpkg --root=DIR --unpack</c> leaves it for the same .deb (the oracle; no maintainer scripts, so no chroot).
/// </summary>
public sealed class DpkgUnpackRecordTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>Conffiles (one no longer shipped), trigger interests of both kinds, Multi-Arch: same, a multi-line description.</summary>
    private string BuildPackage(string name, bool withMd5sums, bool multiArchSame)
    {
        string pkg = _temp.Sub("pkg-" + name);
        Directory.CreateDirectory(Path.Combine(pkg, "DEBIAN"));
        File.WriteAllText(Path.Combine(pkg, "DEBIAN/control"),
            $"Package: {name}\nVersion: 1.0-1\nArchitecture: amd64\n{(multiArchSame ? "Multi-Arch: same\n" : "")}" +
            "Maintainer: Test <test@example.org>\nDepends: libc6 (>= 2.36)\nDescription: test package\n with a body\n .\n and a blank line\n");
        File.WriteAllText(Path.Combine(pkg, "DEBIAN/conffiles"), $"/etc/{name}.conf\nremove-on-upgrade /etc/{name}-old.conf\n");
        File.WriteAllText(Path.Combine(pkg, "DEBIAN/triggers"), $"interest-noawait /usr/share/{name}/hooks\ninterest {name}-rebuild\nactivate-noawait ldconfig\n");
        File.WriteAllText(Path.Combine(pkg, "DEBIAN/postinst"), "#!/bin/sh\nexit 0\n");
        Sh.Run("chmod", "0755", Path.Combine(pkg, "DEBIAN/postinst"));
        Write(pkg, $"etc/{name}.conf", "setting=1\n");
        Write(pkg, $"usr/bin/{name}", "#!/bin/sh\n");
        Write(pkg, $"usr/share/{name}/hooks/one", "hook\n");
        Write(pkg, $"usr/share/doc/{name}/copyright", "Copyright: nobody\n");
        if (withMd5sums)
            File.WriteAllText(Path.Combine(pkg, "DEBIAN/md5sums"),
                Sh.Run("sh", "-c", $"cd {pkg} && md5sum usr/bin/{name} usr/share/{name}/hooks/one usr/share/doc/{name}/copyright"));
        Sh.Run("find", pkg, "-exec", "touch", "-h", "-d", "@1600000000", "{}", "+");
        string deb = Path.Combine(_temp.Path, name + ".deb");
        Sh.Run("dpkg-deb", "-Zxz", "--root-owner-group", "--build", pkg, deb);
        return deb;
    }

    private static void Write(string root, string relative, string content)
    {
        string path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    private string EmptyDatabase(string name)
    {
        string root = _temp.Sub(name);
        foreach (var d in InstallDpkgDatabase.Directories) Directory.CreateDirectory(Path.Combine(root, d));
        File.WriteAllText(Path.Combine(root, "var/lib/dpkg/status"), "");
        return root;
    }

    private static UnpackedPackage ExtractAndRecord(string deb, string name, string root)
    {
        using var archive = DebArchive.OpenFile(deb, name);
        var control = archive.Control;
        var extracted = new SafeDebExtractor().Extract(deb, root, name, CancellationToken.None, out _, DpkgUnpackRecord.KeepConffiles);
        return new UnpackedPackage(new InstallPackage(name, "1.0-1", "amd64", deb, true), control, extracted);
    }

    /// <summary>Everything under var/lib/dpkg and the waiting conffiles: names, modes, contents and (but for files dpkg writes "now") times.</summary>
    private static List<string> Database(string root)
    {
        var admin = Path.Combine(root, "var/lib/dpkg");
        var result = new List<string>();
        foreach (var f in Directory.EnumerateFiles(admin, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var rel = Path.GetRelativePath(root, f);
            if (rel is "var/lib/dpkg/status" or "var/lib/dpkg/status-old" || rel.StartsWith("var/lib/dpkg/lock", StringComparison.Ordinal)
                || rel is "var/lib/dpkg/triggers/Lock" or "var/lib/dpkg/triggers/Unincorp") continue;
            bool writtenNow = rel.EndsWith(".list", StringComparison.Ordinal) || rel.EndsWith("format", StringComparison.Ordinal)
                              || rel.StartsWith("var/lib/dpkg/triggers/", StringComparison.Ordinal) || rel.EndsWith(".md5sums", StringComparison.Ordinal);
            var mode = Convert.ToString((int)File.GetUnixFileMode(f), 8);
            var mtime = writtenNow ? "" : new DateTimeOffset(File.GetLastWriteTimeUtc(f)).ToUnixTimeSeconds().ToString();
            result.Add($"{rel} {mode} {mtime}\n{File.ReadAllText(f)}");
        }
        foreach (var f in Directory.EnumerateFiles(Path.Combine(root, "etc"), "*.dpkg-new"))
            result.Add($"{Path.GetRelativePath(root, f)} {Convert.ToString((int)File.GetUnixFileMode(f), 8)}\n{File.ReadAllText(f)}");
        return result;
    }

    private static List<Dictionary<string, string>> Status(string root) =>
        Deb822.Parse(File.ReadAllText(Path.Combine(root, "var/lib/dpkg/status")))
            .Select(p => p.Fields.ToDictionary(f => f.Key, f => f.Value)).OrderBy(d => d["Package"], StringComparer.Ordinal).ToList();

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Leaves_the_database_real_dpkg_unpack_leaves(bool withMd5sums, bool multiArchSame)
    {
        string first = BuildPackage("alpha", withMd5sums, multiArchSame);
        string second = BuildPackage("beta", withMd5sums: true, multiArchSame: false);

        string ours = EmptyDatabase("ours");
        var unpacked = new[] { ExtractAndRecord(first, "alpha", ours), ExtractAndRecord(second, "beta", ours) };
        DpkgUnpackRecord.Write(ours, unpacked);

        string dpkgs = EmptyDatabase("dpkg");
        Sh.Run("dpkg", "--root=" + dpkgs, "--force-depends", "--force-not-root", "--unpack", first, second);

        Assert.Equal(Database(dpkgs), Database(ours));
        Assert.Equal(Status(dpkgs), Status(ours));
        // And dpkg reads what we wrote: it lists the files and sees the packages as unpacked.
        Assert.Contains("/usr/share/alpha/hooks/one", Sh.Run("dpkg", "--root=" + ours, "-L", multiArchSame ? "alpha:amd64" : "alpha"));
        Assert.Contains("iU  beta", Sh.Run("dpkg", "--root=" + ours, "-l", "beta"));
    }

    [Fact]
    public void Conffiles_leave_out_those_marked_remove_on_upgrade_and_only_they_are_kept()
    {
        using var archive = DebArchive.OpenFile(BuildPackage("gamma", true, false), "gamma");
        Assert.Equal(["/etc/gamma.conf"], DpkgUnpackRecord.Conffiles(archive.Control));
        var keep = DpkgUnpackRecord.KeepConffiles(archive.Control);
        var file = new System.Formats.Tar.GnuTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "x");
        Assert.True(keep("etc/gamma.conf", file));
        Assert.False(keep("etc/gamma-old.conf", file));
        Assert.False(keep("usr/bin/gamma", file));
    }

    /// <summary>
    /// Builds a package with the given preinst, extracts it into <paramref name="root"/> and runs the preinsts with a
    /// runner that starts the command on the host (no chroot: the root's path is put before it), with dpkg's variables.
    /// </summary>
    private async Task RunPreinstFor(string root, string name, string preinst)
    {
        string pkg = _temp.Sub("pkg-" + name);
        Directory.CreateDirectory(Path.Combine(pkg, "DEBIAN"));
        File.WriteAllText(Path.Combine(pkg, "DEBIAN/control"),
            $"Package: {name}\nVersion: 2\nArchitecture: amd64\nMaintainer: T <t@example.org>\nDescription: d\n");
        File.WriteAllText(Path.Combine(pkg, "DEBIAN/preinst"), preinst);
        Sh.Run("chmod", "0755", Path.Combine(pkg, "DEBIAN/preinst"));
        string deb = Path.Combine(_temp.Path, name + ".deb");
        Sh.Run("dpkg-deb", "--root-owner-group", "--build", pkg, deb);
        var unpacked = new[] { ExtractAndRecord(deb, name, root) };
        await DpkgUnpackRecord.RunPreinstsAsync(root, unpacked, "1.21.23", (command, environment) =>
            ProcessRunner.RunAsync(new ProcessSpec(root + command[0], command.Skip(1).ToList(), environment, "preinst"), null, CancellationToken.None));
    }

    [Fact]
    public async Task The_preinsts_run_from_tmp_ci_with_dpkg_arguments_and_environment()
    {
        string root = EmptyDatabase("preinst");
        // Records where it ran from, its arguments, dpkg's variables and what tmp.ci held.
        await RunPreinstFor(root, "delta",
            $"#!/bin/sh\necho \"$0 $* $DPKG_MAINTSCRIPT_PACKAGE $DPKG_MAINTSCRIPT_NAME $DPKG_MAINTSCRIPT_ARCH $DPKG_RUNNING_VERSION " +
            $"root=[$DPKG_ROOT] $(ls $(dirname $0) | tr '\\n' ' ')\" > {root}/ran\n");
        Assert.Equal($"{root}/var/lib/dpkg/tmp.ci/preinst install delta preinst amd64 1.21.23 root=[] control preinst \n",
            File.ReadAllText(Path.Combine(root, "ran")));
        Assert.False(Directory.Exists(Path.Combine(root, DpkgUnpackRecord.ControlDirectory)));
    }

    [Fact]
    public async Task A_failing_preinst_stops_the_run_naming_the_package()
    {
        string root = EmptyDatabase("failing");
        var e = await Assert.ThrowsAsync<InstallException>(() => RunPreinstFor(root, "eps", "#!/bin/sh\necho broken\nexit 3\n"));
        Assert.Equal($"the pre-installation script of eps failed with exit status 3 in the chroot {root}. Last output:\n  broken", e.Message);
        Assert.False(Directory.Exists(Path.Combine(root, DpkgUnpackRecord.ControlDirectory)));
    }
}
