using System.Diagnostics;
using Bootstrapper.Core.Alpine.Package;

namespace Bootstrapper.Tests.Fixtures.Alpine;

/// <summary>
/// A signed v2 repository on disk: &lt;dir&gt;/&lt;branch&gt;/&lt;repo&gt;/x86_64/{APKINDEX.tar.gz,*.apk}, laid out like a
/// mirror so it can be served as is (WireMock) or read as files.
/// </summary>
internal sealed class FixtureRepository : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("apk-fixture-repo-").FullName;
    public FixtureSigner Signer { get; } = new();
    public List<(ApkPackageInfo Info, string Path)> Packages { get; } = [];

    public string RepoDir(string branch, string repo) => Path.Combine(Directory, branch, repo, "x86_64");

    public void Publish(string branch, string repo, IEnumerable<FixturePackage> packages, bool sha256Index = false)
    {
        var dir = RepoDir(branch, repo);
        System.IO.Directory.CreateDirectory(dir);
        var infos = new List<ApkPackageInfo>();
        foreach (var p in packages)
        {
            var (file, info) = ApkFixtures.BuildApk(p, Signer);
            var path = Path.Combine(dir, info.FileName);
            File.WriteAllBytes(path, file);
            infos.Add(info);
            Packages.Add((info, path));
        }
        File.WriteAllBytes(Path.Combine(dir, "APKINDEX.tar.gz"), ApkFixtures.BuildIndex(infos, Signer, sha256Index));
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }

    /// <summary>The statically linked busybox from Debian's busybox-static package: the fixture's /bin/sh.</summary>
    public static byte[] Busybox() => File.ReadAllBytes("/bin/busybox");

    private static readonly Lazy<byte[]> HelloBinary = new(() =>
    {
        // A tiny static musl binary, proving a program from the image runs inside the chroot.
        var dir = System.IO.Directory.CreateTempSubdirectory("apk-hello-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "hello.c"),
                "#include <stdio.h>\nint main(int c, char **v) { printf(\"hello from musl (%d args)\\n\", c - 1); return 0; }\n");
            var psi = new ProcessStartInfo("musl-gcc", ["-static", "-Os", "-s", "-o", "hello", "hello.c"])
            {
                WorkingDirectory = dir,
                RedirectStandardError = true,
            };
            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException("musl-gcc failed (install musl-tools): " + err);
            return File.ReadAllBytes(Path.Combine(dir, "hello"));
        }
        finally
        {
            System.IO.Directory.Delete(dir, true);
        }
    });

    public static byte[] Hello() => HelloBinary.Value;

    /// <summary>A maintainer script that records argv and the environment apk promises.</summary>
    public static string LogScript =>
        "#!/bin/sh\necho \"$0 $* [$APK_SCRIPT $APK_PACKAGE $PATH ${HOME:-nohome}]\" >> /script.log\n";
}
