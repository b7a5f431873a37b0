using System.Diagnostics;
using Bootstrapper.Engine.Debian;

namespace Bootstrapper.EndToEnd.Install;

/// <summary>
/// Installs and finalizes bookworm minbase once for all checks of <see cref="MinbaseInstallTests"/> (~30 s), with
/// SOURCE_DATE_EPOCH set, and records the time of each stage.
/// </summary>
public sealed class MinbaseInstallFixture : IDisposable
{
    public const long Epoch = 1_700_000_000;    // 2023-11-14T22:13:20Z
    public string Root { get; }
    public IReadOnlyList<InstallPackage> Packages { get; }
    public InstallTimings Timings { get; }
    public TimeSpan FinalizeTime { get; }
    public List<string> Log { get; } = [];
    public List<string> MountsBefore { get; }
    public List<string> MountsAfter { get; }
    /// <summary>What <see cref="Finalizer.Finalize"/> reported changing.</summary>
    public IReadOnlyList<string> FinalizeChanges { get; }
    /// <summary>"TYPE MODE UID:GID PATH" of every entry right after finalizing (the refresh script's format).</summary>
    public IReadOnlyList<string> FileList { get; }

    public MinbaseInstallFixture()
    {
        Packages = MinbaseDebs.Get("bookworm");
        Root = Path.Combine("/var/tmp/bootstrapper-e2e/roots", "minbase-" + Guid.NewGuid().ToString("N")[..8]);
        MountsBefore = HostTools.MountPoints();
        var req = new InstallRequest
        {
            RootDirectory = Root,
            Packages = Packages,
            Suite = "bookworm",
            Architecture = "amd64",
            SourceDateEpoch = Epoch,
            Log = l => { lock (Log) Log.Add(l); },
        };
        try
        {
            Timings = Installer.InstallAsync(req, new HostDebExtractor(), null, CancellationToken.None).GetAwaiter().GetResult();
        }
        finally
        {
            File.WriteAllLines(Root + ".log", Log);
        }
        var sw = Stopwatch.StartNew();
        FinalizeChanges = Finalizer.Finalize(new FinalizeOptions
        {
            RootDirectory = Root,
            Suite = "bookworm",
            Sources = [new AptSource(["deb"], [HostTools.HostDebianMirror("bookworm")], ["bookworm", "bookworm-updates"], ["main"],
                "/usr/share/keyrings/debian-archive-keyring.gpg")],
            SourceDateEpoch = Epoch,
        });
        FinalizeTime = sw.Elapsed;
        FileList = HostTools.RunOk("/usr/bin/find", Root, "-mindepth", "1", "-printf", "%y %m %U:%G %P\n")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        MountsAfter = HostTools.MountPoints();
        File.WriteAllLines(Root + ".log", Log);
    }

    public void Dispose()
    {
        // Keep the root for inspection when asked to (BOOTSTRAP_KEEP_ROOTS=1).
        if (Environment.GetEnvironmentVariable("BOOTSTRAP_KEEP_ROOTS") == "1") return;
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
