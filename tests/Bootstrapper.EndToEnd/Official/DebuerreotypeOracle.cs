using System.Security.Cryptography;
using Bootstrapper.EndToEnd.Build;
using Bootstrapper.EndToEnd.Resolution;

namespace Bootstrapper.EndToEnd.Official;

/// <summary>
/// Debian's official images made here: debuerreotype-oracle.sh (debuerreotype run as its examples/debian.sh runs
/// it) against the host's mirror. A run takes ~2-3 minutes, so its tars are kept in /var/tmp, keyed by the script
/// and the suite's three InRelease files: the same archive state gives the same images, a new one a new run.
/// </summary>
internal static class DebuerreotypeOracle
{
    public sealed record Images(string Directory, long Epoch)
    {
        public string Full => Path.Combine(Directory, "rootfs.tar");
        public string Slim => Path.Combine(Directory, "rootfs-slim.tar");
    }

    private static readonly string CacheRoot = "/var/tmp/bootstrap-debuerreotype";
    private static readonly string Script = Path.Combine(RepoRoot.Path, "tests", "Bootstrapper.EndToEnd", "Official", "debuerreotype-oracle.sh");
    private static readonly Dictionary<string, Lazy<Task<Images>>> Runs = new(StringComparer.Ordinal);

    /// <summary>
    /// The official images of <paramref name="suite"/> (made once per archive state, then reused). Every suite in
    /// <paramref name="alsoStart"/> starts too: xunit runs a theory's cases one after another, and two debuerreotype
    /// runs side by side (network, dpkg, one core each) take less than one after the other.
    /// </summary>
    public static Task<Images> GetAsync(string suite, params string[] alsoStart)
    {
        foreach (var other in alsoStart) _ = Start(other);
        return Start(suite);
    }

    private static Task<Images> Start(string suite)
    {
        lock (Runs)
        {
            if (!Runs.TryGetValue(suite, out var run))
                Runs[suite] = run = new Lazy<Task<Images>>(() => Task.Run(() => Make(suite)));
            return run.Value;
        }
    }

    /// <summary>The host's Debian mirror and security mirror (from its apt sources; they serve every suite).</summary>
    public static (string Archive, string Security) HostMirrors() =>
        (HostAptIndices.MirrorFor("bookworm").TrimEnd('/'), HostAptIndices.MirrorFor("bookworm-security").TrimEnd('/'));

    private static async Task<Images> Make(string suite)
    {
        if (!File.Exists("/usr/sbin/debuerreotype-init"))
            throw new InvalidOperationException("debuerreotype is not installed (scripts/test.sh installs it)");
        var (archive, security) = HostMirrors();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var key = new List<byte[]> { await File.ReadAllBytesAsync(Script) };
        foreach (var (mirror, s) in new[] { (archive, suite), (archive, suite + "-updates"), (security, suite + "-security") })
            key.Add(await http.GetByteArrayAsync($"{mirror}/dists/{s}/InRelease"));
        var hash = Convert.ToHexStringLower(SHA256.HashData(key.SelectMany(SHA256.HashData).ToArray()))[..16];
        var images = new Images(Path.Combine(CacheRoot, $"{suite}-{hash}"), 0);
        var epochFile = Path.Combine(images.Directory, "epoch");
        if (!File.Exists(epochFile) || !File.Exists(images.Full) || !File.Exists(images.Slim))
        {
            var work = images.Directory + ".partial";
            if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
            Sh.RunWithTimeout(TimeSpan.FromMinutes(20), Script, suite, archive, security, work).Ok($"debuerreotype for {suite}");
            if (Directory.Exists(images.Directory)) Directory.Delete(images.Directory, recursive: true);
            Directory.Move(work, images.Directory);
        }
        return images with { Epoch = long.Parse(File.ReadAllText(epochFile).Trim()) };
    }
}
