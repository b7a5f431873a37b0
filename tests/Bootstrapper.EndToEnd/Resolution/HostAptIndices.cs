using System.Diagnostics;
using Bootstrapper.Core.Debian.Control;

namespace Bootstrapper.EndToEnd.Resolution;

/// <summary>
/// Loads the Packages indices the host's apt has already downloaded (`apt-get update` must have run), using apt
/// itself: `apt-get indextargets` finds the files and `apt-helper cat-file` decompresses them (.lz4 here).
/// Stand-in until the repository client is merged; keep it in this one file so it can be swapped.
/// </summary>
internal static class HostAptIndices
{
    public sealed record Target(string File, string RepoUri, string Release, string Component, string Architecture);

    /// <summary>All Packages targets apt knows about.</summary>
    public static IReadOnlyList<Target> Targets()
    {
        var output = Run("apt-get",
            ["indextargets", "--format", "$(FILENAME)\t$(REPO_URI)\t$(RELEASE)\t$(COMPONENT)\t$(ARCHITECTURE)", "Created-By: Packages"]);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t'))
            .Where(f => f.Length == 5)
            .Select(f => new Target(f[0], f[1], f[2], f[3], f[4]))
            .ToList();
    }

    /// <summary>The indices of the given suites (Release field as apt reports it), component and architecture.</summary>
    public static IReadOnlyList<PackagesIndex> Load(IEnumerable<string> suites, string component, string architecture)
    {
        var targets = Targets();
        var result = new List<PackagesIndex>();
        foreach (var suite in suites)
        {
            var target = targets.FirstOrDefault(t => t.Release == suite && t.Component == component && t.Architecture == architecture)
                ?? throw new InvalidOperationException(
                    $"the host's apt has no {suite}/{component} {architecture} Packages index; add it to /etc/apt/sources.list.d and run apt-get update");
            if (!File.Exists(target.File))
                throw new InvalidOperationException($"{target.File} is missing; run apt-get update");
            var text = Run("/usr/lib/apt/apt-helper", ["cat-file", target.File]);
            result.Add(new PackagesIndex(text, target.RepoUri, $"{suite}/{component} {architecture}"));
        }
        return result;
    }

    /// <summary>The mirror URL (Repo-URI) that serves <paramref name="suite"/>, from the host's apt configuration.</summary>
    public static string MirrorFor(string suite) =>
        Targets().FirstOrDefault(t => t.Release == suite)?.RepoUri
        ?? throw new InvalidOperationException($"the host's apt sources do not serve {suite}");

    public static string Run(string file, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', psi.ArgumentList)} exited {process.ExitCode}: {stderr.Result}");
        return stdout;
    }
}
