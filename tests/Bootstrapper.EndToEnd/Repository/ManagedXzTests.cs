using Bootstrapper.EndToEnd.Build;

namespace Bootstrapper.EndToEnd.Repository;

/// <summary>
/// Without liblzma (BOOTSTRAP_NO_LIBLZMA=1 stands for a host that lacks it) the real Packages.xz indices of the host
/// mirror decode with the managed decoder: every decompression goes through Decompression.Open. Before, the index
/// decoder built the native stream directly and the process died with SIGSEGV (exit 139).
/// </summary>
public sealed class ManagedXzTests : IDisposable
{
    private readonly string _cache = Directory.CreateTempSubdirectory("bootstrap-nolzma-").FullName;

    public void Dispose() => Directory.Delete(_cache, recursive: true);

    [Fact]
    public void Plan_decodes_xz_indices_without_liblzma()
    {
        var r = Sh.Run("env", ["BOOTSTRAP_NO_LIBLZMA=1", .. BuiltCli.Command(), "plan",
            Path.Combine(RepoRoot.Path, "recipes/debian-bookworm.toml"), "--cache", _cache, "--json"]);
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Stderr}");
        Assert.Contains("\"packages\": 88", r.Stdout);
        // The indices fetched were the .xz ones, so the managed decoder did the work.
        Assert.Contains(Directory.GetFiles(Path.Combine(_cache, "debian", "by-sha256")), f => f.EndsWith(".xz", StringComparison.Ordinal));
    }
}
