using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;
using Bootstrapper.Cli.Commands;
using Bootstrapper.Engine.Families.Debian.Deb;
using Bootstrapper.Engine.Families.Debian.Finalize;
using Bootstrapper.Engine.Families.Debian.Install;
using Bootstrapper.Engine.Output;

namespace Bootstrapper.EndToEnd.Install;

/// <summary>
/// The installer's fast path (our extraction recorded in dpkg's database, then <c>dpkg --configure</c>) must leave
/// exactly the root that the classic path leaves (<c>dpkg --install</c> of every package over the stage-1 files),
/// for each dpkg version we support: both roots are finalized and packed with the same epoch, and every entry of the
/// two images (type, mode, owner, time, size, link, content) must match.
/// </summary>
public sealed class RecordedInstallTests
{
    private const long Epoch = MinbaseInstallFixture.Epoch;

    /// <summary>Our extractor, seen only as an <see cref="IDebExtractor"/>: the installer then takes the classic path.</summary>
    private sealed class ClassicPath : IDebExtractor
    {
        private readonly SafeDebExtractor _inner = new();

        public Task<IReadOnlyList<string>> ExtractDataAsync(string debPath, string rootDir, string packageName, CancellationToken ct) =>
            _inner.ExtractDataAsync(debPath, rootDir, packageName, ct);
    }

    [Theory]
    [InlineData("bookworm")]
    [InlineData("trixie")]
    public async Task Recording_leaves_the_root_dpkg_install_leaves(string suite)
    {
        var packages = await PlannedDebsAsync(suite);
        var work = Directory.CreateTempSubdirectory("bootstrap-recorded-").FullName;
        try
        {
            var (recorded, log) = await InstallAndPackAsync(suite, packages, new SafeDebExtractor(), Path.Combine(work, "recorded"));
            var (classic, _) = await InstallAndPackAsync(suite, packages, new ClassicPath(), Path.Combine(work, "classic"));
            // The fast path was taken all the way (no fallback to dpkg --install), else this compares nothing.
            Assert.Contains(log, l => l.StartsWith("# recording ", StringComparison.Ordinal) && l.Contains("essential"));
            Assert.DoesNotContain(log, l => l.Contains("dpkg unpacks", StringComparison.Ordinal) || l.Contains("(dpkg --install)", StringComparison.Ordinal));
            var differences = recorded.Keys.Union(classic.Keys).Order(StringComparer.Ordinal)
                .Where(k => recorded.GetValueOrDefault(k) != classic.GetValueOrDefault(k))
                .Select(k => $"{k}\n  recorded: {recorded.GetValueOrDefault(k) ?? "(absent)"}\n  classic:  {classic.GetValueOrDefault(k) ?? "(absent)"}")
                .ToList();
            Assert.True(differences.Count == 0, $"{differences.Count} entries differ:\n" + string.Join("\n", differences.Take(30)));
            Assert.True(recorded.Count > 5000, $"only {recorded.Count} entries: the install cannot have worked");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>
    /// The minbase .debs of recipes/debian-SUITE.toml, as the product plans and fetches them (mirror from the host's
    /// apt configuration, indices and files verified); kept under /var/tmp so reruns do not download them again.
    /// </summary>
    private static async Task<IReadOnlyList<InstallPackage>> PlannedDebsAsync(string suite)
    {
        var cache = $"/var/tmp/bootstrapper-e2e/{suite}-recorded-cache";
        var recipe = Path.Combine(RepoRoot.Path, "recipes", $"debian-{suite}.toml");
        var log = new StringWriter();
        Assert.True(await CliApp.RunAsync(["fetch", recipe, "--cache", cache, "-q"], log, log) == 0, log.ToString());
        var json = new StringWriter();
        Assert.True(await CliApp.RunAsync(["plan", recipe, "--json", "--cache", cache], json, log) == 0, log.ToString());
        var debs = JsonDocument.Parse(json.ToString()).RootElement.GetProperty("packages").EnumerateArray()
            .Select(p => p.GetProperty("sha256").GetString()!)
            .Select(h => Path.Combine(cache, "packages", "sha256", h[..2], h + ".deb"))
            .ToList();
        Assert.All(debs, d => Assert.True(File.Exists(d), d));
        return MinbaseDebs.Describe(debs);
    }

    /// <summary>Installs, finalizes and packs a root; returns each image entry's description by name, and the install log.</summary>
    private static async Task<(Dictionary<string, string> Entries, List<string> Log)> InstallAndPackAsync(
        string suite, IReadOnlyList<InstallPackage> packages, IDebExtractor extractor, string dir)
    {
        var root = Path.Combine(dir, "root");
        var log = new List<string>();
        try
        {
            await Installer.InstallAsync(new InstallRequest
            {
                RootDirectory = root,
                Packages = packages,
                Suite = suite,
                Architecture = "amd64",
                SourceDateEpoch = Epoch,
                Log = l => { lock (log) log.Add(l); },
            }, extractor, null, CancellationToken.None);
        }
        catch
        {
            lock (log) File.WriteAllLines(dir + ".log", log);
            throw;
        }
        Finalizer.Finalize(new FinalizeOptions
        {
            RootDirectory = root,
            Suite = suite,
            Sources = [new AptSource(["deb"], ["http://mirror.invalid/debian"], [suite], ["main"], "/usr/share/keyrings/debian-archive-keyring.gpg")],
            SourceDateEpoch = Epoch,
        });
        var image = Path.Combine(dir, "image.tar");
        ImagePacker.Pack(root, image, new PackOptions { SourceDateEpoch = Epoch });
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        using var tar = new TarReader(File.OpenRead(image));
        while (tar.GetNextEntry(copyData: false) is { } e)
        {
            var hash = e.DataStream is { } data ? Convert.ToHexStringLower(SHA256.HashData(data))[..16] : "";
            entries[e.Name] = $"{e.EntryType} {Convert.ToString((int)e.Mode, 8)} {e.Uid}:{e.Gid} {e.ModificationTime.ToUnixTimeSeconds()} " +
                              $"{e.Length} {e.LinkName} {hash}";
        }
        return (entries, log);
    }
}
