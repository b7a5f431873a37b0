using System.Reflection;
using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Families.Debian.Install;
using Bootstrapper.Engine.Os.Files;

namespace Bootstrapper.Engine.Families.Debian.Official;

/// <summary>
/// The two steps that make Debian's official container images what they are beyond a minbase root, taken from
/// debuerreotype (the tool Debian builds them with): its minimizing config and its slimify. The file contents are
/// debuerreotype 0.15's bytes, kept as resources beside this file; the comparison with debuerreotype itself is
/// tests/Bootstrapper.EndToEnd/Official.
/// </summary>
internal static class OfficialImageSteps
{
    private const string ResourcePrefix = "official/";

    /// <summary>What debuerreotype-minimizing-config writes, path in the root and mode.</summary>
    public static readonly IReadOnlyList<(string Path, uint Mode)> ContainerConfigFiles =
    [
        // Services must not start during `apt-get install` in an image build (invoke-rc.d asks policy-rc.d).
        ("usr/sbin/policy-rc.d", 0x1ED),
        // dpkg without fsync: image builds do not survive a power loss anyway.
        ("etc/dpkg/dpkg.cfg.d/docker-apt-speedup", 0x1A4),
        ("etc/apt/apt.conf.d/docker-autoremove-suggests", 0x1A4),
        ("etc/apt/apt.conf.d/docker-clean", 0x1A4),
        ("etc/apt/apt.conf.d/docker-gzip-indexes", 0x1A4),
        ("etc/apt/apt.conf.d/docker-no-languages", 0x1A4),
    ];

    /// <summary>Writes the minimizing config into the root; returns the paths written.</summary>
    public static IReadOnlyList<string> WriteContainerConfig(string root)
    {
        foreach (var (path, mode) in ContainerConfigFiles)
            RootFs.WriteFile(root, path, Resource(Path.GetFileName(path)), mode);
        return ContainerConfigFiles.Select(f => f.Path).ToList();
    }

    /// <summary>
    /// Runs debuerreotype's slimify in the root, with the root's own bash, find and dpkg-query (network off, as
    /// every command in the root): the patterns then mean exactly what they mean there.
    /// </summary>
    public static async Task SlimifyAsync(ChrootRunner runner, CancellationToken ct)
    {
        var script = System.Text.Encoding.UTF8.GetString(Resource("slimify.sh"));
        var result = await runner.RunAsync(["/bin/bash", "-c", script, "slimify"], "slimify (the slim variant)", ct)
            .ConfigureAwait(false);
        if (!result.Succeeded)
            throw new InstallException(
                $"Making the slim variant failed with exit code {result.ExitCode} in {runner.Root}. Last output:\n  " +
                string.Join("\n  ", result.LastLines));
    }

    private static byte[] Resource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourcePrefix + name)
            ?? throw new InvalidOperationException($"resource {ResourcePrefix}{name} is missing from the build");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
