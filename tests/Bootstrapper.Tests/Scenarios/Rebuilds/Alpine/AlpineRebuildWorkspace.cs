using System.Diagnostics;
using System.Runtime.Versioning;
using Bootstrapper.Tests.Fixtures;
using Bootstrapper.Tests.Fixtures.Alpine;

namespace Bootstrapper.Tests.Scenarios.Rebuilds.Alpine;

/// <summary>
/// A temporary folder with an Alpine recipe for a signed fixture repository (musl, busybox with a post-install,
/// a static musl "hello", alpine-base) served on 127.0.0.1, and helpers to run `bootstrap` in-process against it.
/// Builds run the packages' scripts chrooted: they need root, unshare, musl-tools and busybox-static.
/// </summary>
[UnsupportedOSPlatform("windows")]
internal sealed class AlpineRebuildWorkspace : IDisposable
{
    public const long Epoch = 1_700_000_000;

    public AlpineRebuildWorkspace()
    {
        Directory.CreateDirectory(Path.Combine(Root, "keys"));
        File.WriteAllText(Path.Combine(Root, "keys", Repository.Signer.Name), Repository.Signer.PublicPem);
        File.WriteAllText(RecipePath, """
            name = "apkfix"
            family = "alpine"
            architecture = "x86_64"
            keyrings = ["keys"]

            [[sources]]
            suite = "v3.23"
            components = ["main"]

            [packages]
            include = ["alpine-base"]

            [output]
            path = "out/apkfix.tar"
            """);
    }

    public string Root { get; } = Directory.CreateTempSubdirectory("apk-rebuilds-").FullName;
    public FixtureRepository Repository { get; } = new();
    public string RecipePath => Path.Combine(Root, "apkfix.toml");
    public string LockPath => Path.Combine(Root, "apkfix.lock.json");
    public string Cache(string name = "cache") => Path.Combine(Root, name);
    public string Output(string name) => Path.Combine(Root, "out", name);
    public string MainDir => Repository.RepoDir("v3.23", "main");

    /// <summary>(Re)writes v3.23/main with hello at <paramref name="helloVersion"/>; the index lists only what is
    /// published now, and a superseded .apk is deleted, as Alpine's mirrors do.</summary>
    public void Publish(string helloVersion, string helloLicense = "GPL-2.0-or-later", string? helloComment = null)
    {
        if (Directory.Exists(MainDir)) Directory.Delete(MainDir, recursive: true);
        Repository.Publish("v3.23", "main",
        [
            new FixturePackage
            {
                Name = "musl", Version = "1.2.5-r10", Provides = "so:libc.musl-x86_64.so.1=1", License = "MIT",
                Files = [FixtureEntry.Dir("lib"), FixtureEntry.File("lib/ld-musl-x86_64.so.1", "not really the loader")],
            },
            new FixturePackage
            {
                Name = "busybox", Version = "1.37.0-r19", Depends = "so:libc.musl-x86_64.so.1", Provides = "cmd:sh=1.37.0-r19",
                License = "GPL-2.0-only",
                Files = [FixtureEntry.Dir("bin"), FixtureEntry.File("bin/busybox", FixtureRepository.Busybox(), 0x1ed),
                         FixtureEntry.Symlink("bin/sh", "busybox")],
                Scripts = new Dictionary<string, string> { ["post-install"] = FixtureRepository.LogScript },
            },
            new FixturePackage
            {
                Name = "hello", Version = helloVersion, Depends = "cmd:sh so:libc.musl-x86_64.so.1", License = helloLicense,
                Comment = helloComment,
                Files = [FixtureEntry.Dir("usr"), FixtureEntry.Dir("usr/bin"),
                         FixtureEntry.File("usr/bin/hello", FixtureRepository.Hello(), 0x1ed)],
                Scripts = new Dictionary<string, string> { ["post-install"] = FixtureRepository.LogScript },
            },
            new FixturePackage
            {
                Name = "alpine-base", Version = "3.23.0-r0", Depends = "busybox hello", License = "MIT",
                Files = [FixtureEntry.Dir("etc"), FixtureEntry.File("etc/alpine-release", "3.23.0\n")],
            },
        ]);
    }

    /// <summary>Serves the repository as it is now at http://127.0.0.1:PORT/alpine.</summary>
    public RepositoryServer Serve() =>
        new(Directory.EnumerateFiles(Repository.Directory, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(Repository.Directory, f), File.ReadAllBytes), "/alpine");

    /// <summary>`bootstrap RECIPE` with a fixed SOURCE_DATE_EPOCH.</summary>
    public Task<(int Code, string Stdout, string Stderr)> BuildAsync(string mirror, string cache, string output,
        params string[] extra) =>
        RebuildWorkspace.RunAsync([RecipePath, "--mirror", mirror, "--cache", cache, "-o", output,
            "--source-date-epoch", Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture), .. extra]);

    /// <summary>One file of an image, read with GNU tar (the reference reader for our PAX/GNU output).</summary>
    public static string ReadFromImage(string image, string path)
    {
        var psi = new ProcessStartInfo("tar", ["-xOf", image, "--wildcards", "*" + path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var p = Process.Start(psi)!;
        var text = p.StandardOutput.ReadToEnd();
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"tar -xOf {image} {path}: {err}");
        return text;
    }

    public void Dispose()
    {
        Repository.Dispose();
        Directory.Delete(Root, recursive: true);
    }
}
