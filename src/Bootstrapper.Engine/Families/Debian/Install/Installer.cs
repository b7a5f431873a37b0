using System.Diagnostics;
using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Families.Debian.Deb;
using Bootstrapper.Engine.Families.Debian.Finalize;
using Bootstrapper.Engine.Os.Files;
using Bootstrapper.Engine.Os.Native;
using Bootstrapper.Engine.Os.Processes;
using Bootstrapper.Engine.Sandbox;

namespace Bootstrapper.Engine.Families.Debian.Install;

/// <summary>How long each stage took, for the build report.</summary>
internal sealed record InstallTimings(TimeSpan Extract, TimeSpan Essential, TimeSpan Remaining, int Packages);

/// <summary>Waits until a package's .deb is there (<see cref="InstallRequest.WaitForFile"/>).</summary>
internal delegate Task FileWait(InstallPackage package, CancellationToken ct);

/// <summary>
/// Turns a resolved set of .debs into a configured Debian root, as mmdebstrap's root mode does but without
/// unpacking anything twice:
/// <list type="number">
/// <item>Layout: merged-/usr links when the suite needs the bootstrapper to make them (before any extraction, so
/// every package's /bin files land in /usr/bin).</item>
/// <item>Stage 1 (<c>InstallStageOne.cs</c>): the essential set's files, extracted by us on every core; an empty
/// dpkg database and /dev.</item>
/// <item>The essential set recorded as unpacked (<see cref="DpkgUnpackRecord"/>: preinsts, database), then
/// <c>dpkg --configure --force-depends</c> in dpkg --install's order, chrooted in private mount and PID
/// namespaces.</item>
/// <item>The rest (<c>InstallRemaining.cs</c>), in runs that put pre-dependencies first (<see cref="InstallOrder"/>):
/// recorded the same way, or unpacked by <c>dpkg --install</c> where dpkg's unpack would do more than write
/// files.</item>
/// </list>
/// Which of the two ways the essential set is installed is decided once, by stage 1 (<see cref="EssentialStage"/>):
/// an extractor that cannot report what it wrote (a test's) gets <c>dpkg --install</c> of every package over the
/// stage-1 files. Services are kept from starting by <see cref="ChrootGuards"/>, removed at the
/// end together with the copied .debs. Finalizing for an image (logs, caches, apt sources) is
/// <see cref="Finalizer"/>'s job.
/// </summary>
internal static partial class Installer
{
    /// <summary>Where the .debs are copied inside the root for dpkg to read; removed before returning.</summary>
    public const string DebsDirectory = "var/cache/bootstrap-debs";

    public static async Task<InstallTimings> InstallAsync(
        InstallRequest req, IDebExtractor extractor, IProgress<string>? progress, CancellationToken ct)
    {
        Validate(req);
        Privileges.EnsureRoot("Installing Debian packages");
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(req.RootDirectory));
        void Phase(string msg) { req.Log?.Invoke("# " + msg); progress?.Report(msg); }
        Action<string> childLine = req.Verbose && progress is not null
            ? l => { req.Log?.Invoke(l); progress.Report(l); }
        : l => req.Log?.Invoke(l);

        FileWait wait = req.WaitForFile is { } waitFor ? (p, token) => waitFor(p, token) : (_, _) => Task.CompletedTask;
        var traits = InstallSuiteTraits.For(req.Suite);
        var essential = OrderEssential(req.Packages.Where(p => p.InEssentialSet).ToList());
        var remaining = req.Packages.Where(p => !p.InEssentialSet).ToList();

        var sw = Stopwatch.StartNew();
        var cpu = new CpuMeter();
        Directory.CreateDirectory(root);
        if (traits.BootstrapperCreatesMergedUsr)
        {
            Phase($"creating merged-/usr links for {req.Suite}");
            InstallMergedUsr.Create(root, req.Architecture);
        }
        Phase($"extracting {essential.Count} essential packages");
        var inRoot = DebPathsInRoot(req.Packages);
        var stage = await StageOneAsync(extractor, essential, root, traits, req.Architecture, inRoot, wait, Phase, ct)
            .ConfigureAwait(false);
        var startStopDaemon = stage.DpkgPaths.Select(NormalizeArchivePath)
            .FirstOrDefault(s => s.EndsWith("sbin/start-stop-daemon", StringComparison.Ordinal));
        InstallDpkgDatabase.Write(root);
        ChrootDevices.Create(root);
        var extractTime = sw.Elapsed;
        var extractCpu = cpu.Lap();

        var chroot = new ChrootRunner(root, req.SourceDateEpoch, childLine);
        var guards = new ChrootGuards(root, chroot, startStopDaemon);
        TimeSpan essentialTime, remainingTime;
        string essentialCpu, remainingCpu;
        Task repackRemaining = Task.CompletedTask;
        PinnedDirectory? debs = null;
        try
        {
            // Pinned: scripts run while the .debs are written there, and may replace the name with a symlink.
            debs = RootFs.TryCreatePinnedDirectory(root, DebsDirectory) ?? throw DebsDirectoryTaken(stage);
            stage.PrepareDebs(debs, inRoot, ct);
            // dpkg works on one core: the others prepare the remaining .debs meanwhile (as they arrive; each decoded
            // once, keeping the decoded copy for later builds). Leaving dpkg its core matters on a cold build, where
            // this is xz decoding: on two cores, repacking on both made the essential configure 0.3 s slower.
            repackRemaining = Task.Run(async () =>
            {
                foreach (var p in remaining) await wait(p, ct).ConfigureAwait(false);
                RepackDebs(remaining, debs, inRoot, ct, Math.Max(1, Environment.ProcessorCount - 1));
            }, ct);

            sw.Restart();
            await stage.InstallAsync(root, chroot, guards, Phase, ct).ConfigureAwait(false);
            if (req.AfterEssential is { } hook) await hook(ct).ConfigureAwait(false);
            essentialTime = sw.Elapsed;
            essentialCpu = cpu.Lap();

            sw.Restart();
            await repackRemaining.ConfigureAwait(false);
            if (remaining.Count > 0)
                await InstallRemainingAsync(root, remaining, essential.First(p => p.Name == "dpkg").Version, inRoot, debs, chroot,
                    stage.Recordable, Phase, ct).ConfigureAwait(false);
            // One chroot run: the guard's removal (silent when it works), then the audit.
            await AuditAsync(chroot, guards.RemoveScript(), ct).ConfigureAwait(false);
            guards.RemovePolicy();
            if (traits.BootstrapperCreatesMergedUsr)
                foreach (var link in InstallMergedUsr.PruneUnused(root, req.Architecture))
                    Phase($"removed unused merged-/usr link {link}");
            remainingTime = sw.Elapsed;
            remainingCpu = cpu.Lap();
        }
        finally
        {
            // A failure in the essential stage must not delete the folder under the background repack's feet.
            try { await repackRemaining.ConfigureAwait(false); }
            catch (Exception) when (!repackRemaining.IsCompletedSuccessfully) { /* the first failure is already on its way */ }
            if (debs is not null)
            {
                debs.Dispose();
                RootFs.Delete(root, DebsDirectory);
            }
        }
        Phase($"installed {req.Packages.Count} packages (extract {extractTime.TotalSeconds:F1} s [{extractCpu}], essential " +
              $"{essentialTime.TotalSeconds:F1} s [{essentialCpu}], remaining {remainingTime.TotalSeconds:F1} s [{remainingCpu}])");
        return new InstallTimings(extractTime, essentialTime, remainingTime, req.Packages.Count);
    }

    /// <summary>
    /// <c>dpkg --audit</c> must print nothing: every package unpacked and configured, no half-installed or
    /// trigger-pending state. dpkg exits 0 even when it reports problems, so its output is what counts.
    /// </summary>
    /// <param name="before">Shell commands to run first in the same chroot run; they must print nothing on success.</param>
    private static async Task AuditAsync(ChrootRunner chroot, string before, CancellationToken ct)
    {
        var lines = new List<string>();
        var audit = chroot.WithOutput(l => { lock (lines) lines.Add(l); });
        await audit.RunCheckedAsync(["/bin/sh", "-c", before + "exec dpkg --audit"],
            before.Length > 0 ? "removing the start-stop-daemon guard, then dpkg --audit" : "dpkg --audit", ct).ConfigureAwait(false);
        if (lines.Count > 0)
            throw new InstallException(
                "The packages were installed but dpkg --audit reports problems:\n  " + string.Join("\n  ", lines.Take(40)) +
                "\nA maintainer script probably failed silently or a dependency is missing from the plan.");
    }

    /// <summary>The dpkg architecture name of the build host's processes.</summary>
    internal static string HostArchitecture() => System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.X86 => "i386",
        System.Runtime.InteropServices.Architecture.Arm => "armhf",
        System.Runtime.InteropServices.Architecture.S390x => "s390x",
        System.Runtime.InteropServices.Architecture.Ppc64le => "ppc64el",
        System.Runtime.InteropServices.Architecture.RiscV64 => "riscv64",
        System.Runtime.InteropServices.Architecture.LoongArch64 => "loong64",
        var other => other.ToString().ToLowerInvariant(),
    };

    internal static void Validate(InstallRequest req)
    {
        if (!Path.IsPathFullyQualified(req.RootDirectory))
            throw new InstallException($"The staging root must be an absolute path, not '{req.RootDirectory}'.");
        if (Directory.Exists(req.RootDirectory) && Directory.EnumerateFileSystemEntries(req.RootDirectory).Any())
            throw new InstallException($"The staging root {req.RootDirectory} is not empty; start from an empty or missing directory.");
        if (req.Packages.Count == 0)
            throw new InstallException("No packages to install: the plan is empty.");
        var dup = req.Packages.GroupBy(p => p.Name).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null)
            throw new InstallException($"Package {dup.Key} appears {dup.Count()} times in the install set; a plan installs each package once.");
        if (!req.Packages.Any(p => p.InEssentialSet && p.Name == "dpkg"))
            throw new InstallException("The essential set does not contain dpkg; without it nothing can be configured. Check the plan's essential packages.");
        foreach (var p in req.Packages)
        {
            if (p.Architecture != "all" && p.Architecture != req.Architecture)
                throw new InstallException($"{p.Name} {p.Version} is built for {p.Architecture}, not {req.Architecture}; the plan mixes architectures.");
            if (req.WaitForFile is null && !File.Exists(p.DebPath))
                throw new InstallException($"The .deb of {p.Name} {p.Version} is missing at {p.DebPath}; fetch it again.");
            if (p.Name.Length == 0 || p.Name.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '+' or '-' or '.')))
                throw new InstallException($"'{p.Name}' is not a valid Debian package name.");
            if (p.Version.Contains('/') || p.Architecture.Contains('/'))
                throw new InstallException($"Version or architecture of {p.Name} contains '/': '{p.Version}', '{p.Architecture}'.");
        }
    }
}
