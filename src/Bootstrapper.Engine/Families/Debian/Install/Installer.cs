using System.Diagnostics;
using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Archives;
using Bootstrapper.Engine.Families.Debian.Deb;
using Bootstrapper.Engine.Families.Debian.Finalize;
using Bootstrapper.Engine.Families.Shared;
using Bootstrapper.Engine.Os.Files;
using Bootstrapper.Engine.Os.Native;
using Bootstrapper.Engine.Os.Processes;

namespace Bootstrapper.Engine.Families.Debian.Install;

/// <summary>How long each stage took, for the build report.</summary>
internal sealed record InstallTimings(TimeSpan Extract, TimeSpan Essential, TimeSpan Remaining, int Packages);

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
/// An extractor that cannot report what it wrote (a test's) gets the classic flow: <c>dpkg --install</c> of every
/// package over the stage-1 files. Services are kept from starting by <see cref="ChrootGuards"/>, removed at the
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
        // With our own extractor, dpkg does not unpack the essential set a second time: we record it in dpkg's
        // database as unpacked (DpkgUnpackRecord), keeping its conffiles from the extraction for that.
        IReadOnlyList<ExtractedPackage>? extracted = null;
        Dictionary<string, ControlFiles> controls = [];
        IReadOnlyList<string> dpkgPaths;
        if (extractor is IConcurrentDebExtractor concurrent)
        {
            extracted = await ExtractConcurrentlyAsync(concurrent, essential, DpkgUnpackRecord.KeepConffiles, root, traits,
                req.Architecture, Phase, ct).ConfigureAwait(false);
            // Each control member was read to open its .deb: the extraction hands it back.
            controls = essential.Select((p, i) => (p.Name, extracted[i].Control!)).ToDictionary(c => c.Name, c => c.Item2, StringComparer.Ordinal);
            dpkgPaths = extracted[essential.FindIndex(p => p.Name == "dpkg")].Paths;
            // dpkg would give some file an owner by name that differs from the archive's number: let it unpack.
            if (RecordEligibility.EssentialOwnerMismatch(root, extracted.SelectMany(e => e.Owners)) is { } owner)
            {
                Phase($"dpkg unpacks the essential packages itself: a member is owned by {owner}");
                extracted = null;
            }
        }
        else dpkgPaths = await ExtractInOrderAsync(extractor, essential, root, ct).ConfigureAwait(false);
        var startStopDaemon = dpkgPaths.Select(NormalizeArchivePath)
            .FirstOrDefault(s => s.EndsWith("sbin/start-stop-daemon", StringComparison.Ordinal));
        InstallDpkgDatabase.Write(root);
        ChrootDevices.Create(root);
        var extractTime = sw.Elapsed;
        var extractCpu = cpu.Lap();

        var chroot = new ChrootRunner(root, req.SourceDateEpoch, childLine);
        var guards = new ChrootGuards(root, chroot, startStopDaemon);
        TimeSpan essentialTime, remainingTime;
        string essentialCpu, remainingCpu;
        Task repackRemaining = Task.CompletedTask, recordCopies = Task.CompletedTask;
        using var stopRecording = CancellationTokenSource.CreateLinkedTokenSource(ct);
        PinnedDirectory? debs = null;
        try
        {
            var inRoot = DebPathsInRoot(req.Packages);
            // Pinned: scripts run while the .debs are written there, and may replace the name with a symlink.
            debs = RootFs.TryCreatePinnedDirectory(root, DebsDirectory) ?? throw DebsDirectoryTaken(essential, extracted);
            if (extracted is null) RepackDebs(essential, debs, inRoot, ct);
            // dpkg works on one core: the other prepares the remaining .debs meanwhile.
            repackRemaining = Task.Run(() => RepackDebs(remaining, debs, inRoot, ct), ct);
            // Then, still beside dpkg, the decoded copies of the essential .debs for the next build (if missing).
            if (extracted is not null)
                recordCopies = repackRemaining.ContinueWith(_ => RecordDecodedCopies(essential, stopRecording.Token),
                    stopRecording.Token, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            // With our own recording, the guard goes in with the preinsts' chroot run (one process start less).
            if (extracted is null) await guards.InstallAsync(ct).ConfigureAwait(false);
            else guards.InstallPolicy();

            sw.Restart();
            if (extracted is null)
            {
                Phase($"installing {essential.Count} essential packages (dpkg --install --force-depends)");
                await chroot.RunCheckedAsync(
                    ["dpkg", "--install", "--force-depends", .. essential.Select(p => inRoot[p.Name])],
                    "dpkg --install of the essential packages", ct).ConfigureAwait(false);
            }
            else
            {
                // What dpkg --install does after the files are in place: preinsts, the database, then configure in
                // the same order (dpkg's queue is the command line's order in both cases).
                var unpacked = essential.Select((p, i) => new UnpackedPackage(p, controls[p.Name], extracted[i])).ToList();
                Phase($"recording {essential.Count} essential packages as unpacked (preinsts, dpkg database)");
                DpkgUnpackRecord.StageControlFiles(root, unpacked);
                await chroot.RunCheckedAsync(
                    ["/bin/sh", "-c", guards.InstallScript() + DpkgUnpackRecord.PreinstScript(unpacked, essential.First(p => p.Name == "dpkg").Version)],
                    "the start-stop-daemon guard and the pre-installation scripts of the essential packages", ct).ConfigureAwait(false);
                DpkgUnpackRecord.Write(root, unpacked);
                // Stage 1 made the directories; the old flow's dpkg --install found them all there.
                DpkgUnpackRecord.StampDirectories(extracted.SelectMany(e => e.NonDirectories), [], DateTimeOffset.UtcNow.ToUnixTimeSeconds());
                Phase($"configuring {essential.Count} essential packages (dpkg --configure --force-depends)");
                await chroot.RunCheckedAsync(
                    ["dpkg", "--configure", "--force-depends", .. essential.Select(p => p.Name)],
                    "dpkg --configure of the essential packages", ct).ConfigureAwait(false);
            }
            if (req.AfterEssential is { } hook) await hook(ct).ConfigureAwait(false);
            essentialTime = sw.Elapsed;
            essentialCpu = cpu.Lap();

            sw.Restart();
            await repackRemaining.ConfigureAwait(false);
            if (remaining.Count > 0)
                await InstallRemainingAsync(root, remaining, essential.First(p => p.Name == "dpkg").Version, inRoot, debs, chroot,
                    recordable: extracted is not null, Phase, ct).ConfigureAwait(false);
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
            // Copies not made by now are made by a later build: packing gets both cores.
            await stopRecording.CancelAsync().ConfigureAwait(false);
            try { await recordCopies.ConfigureAwait(false); }
            catch (Exception) { /* copies are an optimisation for later builds; RecordDecodedCopies reports nothing */ }
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
            if (!File.Exists(p.DebPath))
                throw new InstallException($"The .deb of {p.Name} {p.Version} is missing at {p.DebPath}; fetch it again.");
            if (p.Name.Length == 0 || p.Name.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '+' or '-' or '.')))
                throw new InstallException($"'{p.Name}' is not a valid Debian package name.");
            if (p.Version.Contains('/') || p.Architecture.Contains('/'))
                throw new InstallException($"Version or architecture of {p.Name} contains '/': '{p.Version}', '{p.Architecture}'.");
        }
    }
}
