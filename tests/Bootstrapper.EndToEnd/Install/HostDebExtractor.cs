using System.Diagnostics;
using Bootstrapper.Engine.Families.Debian.Deb;

namespace Bootstrapper.EndToEnd.Install;

/// <summary>
/// Test-only extractor: <c>dpkg-deb --fsys-tarfile DEB | tar -x --keep-directory-symlink -C ROOT</c>, as
/// mmdebstrap's run_extract does (dpkg-deb --extract would replace the merged-/usr links with directories).
/// The product uses the safe extractor from Engine/Archives instead.
/// </summary>
public sealed class HostDebExtractor : IDebExtractor
{
    public async Task<IReadOnlyList<string>> ExtractDataAsync(string debPath, string rootDir, string packageName, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("/bin/bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("set -e -o pipefail; dpkg-deb --fsys-tarfile \"$1\" | tar -x -v --keep-directory-symlink -C \"$2\" -f -");
        psi.ArgumentList.Add("sh");
        psi.ArgumentList.Add(debPath);
        psi.ArgumentList.Add(rootDir);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"extracting {packageName} ({debPath}) failed: {await stderr}");
        return (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
