using System.Diagnostics;
using Bootstrapper.Engine.Families.Debian.Finalize;
using Bootstrapper.Engine.Families.Debian.Install;

namespace Bootstrapper.EndToEnd.Install;

/// <summary>
/// Installs and finalizes bookworm minbase once for all checks of <see cref="MinbaseInstallTests"/> (~30 s on an
/// idle 2-core machine), with SOURCE_DATE_EPOCH set, and records the time of each stage.
/// </summary>
public sealed class MinbaseInstallFixture : IDisposable
{
    public const long Epoch = 1_700_000_000;    // 2023-11-14T22:13:20Z
    public const string RootsDirectory = "/var/tmp/bootstrapper-e2e/roots";
    public string Root { get; }
    internal IReadOnlyList<InstallPackage> Packages { get; }
    internal InstallTimings Timings { get; }
    public TimeSpan FinalizeTime { get; }
    /// <summary>What <see cref="Finalizer.Finalize"/> reported changing.</summary>
    public IReadOnlyList<string> FinalizeChanges { get; }
    /// <summary>"TYPE MODE UID:GID PATH" of every entry right after finalizing (the refresh script's format).</summary>
    public IReadOnlyList<string> FileList { get; }
    /// <summary>Types, modes, owners, link targets and SHA-256 of every entry right after finalizing.</summary>
    public Dictionary<string, string> Manifest { get; }
    /// <summary>Host mount points under the root right after install and finalize (must be none).</summary>
    public List<string> MountsLeft { get; }

    public MinbaseInstallFixture()
    {
        Packages = MinbaseDebs.Get("bookworm");
        Root = NewRootPath();
        (Timings, FinalizeTime, FinalizeChanges) = InstallAndFinalize(Root, Packages);
        FileList = HostTools.RunOk("/usr/bin/find", Root, "-mindepth", "1", "-printf", "%y %m %U:%G %P\n")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        MountsLeft = HostTools.MountsUnder(Root);
        Manifest = HostTools.ContentManifest(Root);
    }

    public static string NewRootPath() => Path.Combine(RootsDirectory, "minbase-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>Installs <paramref name="packages"/> into <paramref name="root"/> and finalizes it; the log goes to ROOT.log.</summary>
    internal static (InstallTimings Install, TimeSpan Finalize, IReadOnlyList<string> Changes) InstallAndFinalize(
        string root, IReadOnlyList<InstallPackage> packages)
    {
        var log = new List<string>();
        var req = new InstallRequest
        {
            RootDirectory = root,
            Packages = packages,
            Suite = "bookworm",
            Architecture = "amd64",
            SourceDateEpoch = Epoch,
            Log = l => { lock (log) log.Add(l); },
        };
        try
        {
            var timings = Installer.InstallAsync(req, new HostDebExtractor(), null, CancellationToken.None).GetAwaiter().GetResult();
            var sw = Stopwatch.StartNew();
            var changes = Finalizer.Finalize(new FinalizeOptions
            {
                RootDirectory = root,
                Suite = "bookworm",
                Sources = [new AptSource(["deb"], [HostTools.HostDebianMirror("bookworm")], ["bookworm", "bookworm-updates"], ["main"],
                    "/usr/share/keyrings/debian-archive-keyring.gpg")],
                SourceDateEpoch = Epoch,
                Log = l => { lock (log) log.Add(l); },
            });
            return (timings, sw.Elapsed, changes);
        }
        finally
        {
            lock (log) File.WriteAllLines(root + ".log", log);
        }
    }

    public static void Remove(string root)
    {
        // Keep roots for inspection when asked to (BOOTSTRAP_KEEP_ROOTS=1).
        if (Environment.GetEnvironmentVariable("BOOTSTRAP_KEEP_ROOTS") == "1") return;
        try
        {
            Directory.Delete(root, recursive: true);
            File.Delete(root + ".log");
        }
        catch (IOException) { }
    }

    public void Dispose() => Remove(Root);
}
