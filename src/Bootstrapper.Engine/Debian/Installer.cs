using Bootstrapper.Engine.Archives;
using System.Diagnostics;
using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Native;
using Bootstrapper.Engine.Processes;

namespace Bootstrapper.Engine.Debian;

/// <summary>How long each stage took, for the build report.</summary>
public sealed record InstallTimings(TimeSpan Extract, TimeSpan Essential, TimeSpan Remaining, int Packages);

/// <summary>
/// Turns a resolved set of .debs into a configured Debian root, the way mmdebstrap's root mode does:
/// <list type="number">
/// <item>Layout: merged-/usr links when the suite needs the bootstrapper to make them (before any extraction, so
/// every package's /bin files land in /usr/bin).</item>
/// <item>Stage 1: extract the essential set's files (no scripts), write an empty dpkg database and /dev.</item>
/// <item>Stage 2, chrooted in private mount and PID namespaces: <c>dpkg --install --force-depends</c> of the
/// essential set (dpkg does not order unpacks by Pre-Depends, hence the force; every maintainer script runs),
/// then <c>dpkg --install</c> of the rest: one run, so dpkg orders their configuration, preceded by earlier runs
/// for packages that others pre-depend on (<see cref="InstallOrder"/>).</item>
/// </list>
/// Services are kept from starting by <see cref="ChrootGuards"/>, removed at the end together with the copied
/// .debs. Finalizing for an image (logs, caches, apt sources) is <see cref="Finalizer"/>'s job.
/// </summary>
public static class Installer
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
        IReadOnlyList<Archives.ExtractedPackage>? extracted = null;
        Dictionary<string, Archives.ControlFiles> controls = [];
        IReadOnlyList<string> dpkgPaths;
        if (extractor is IConcurrentDebExtractor concurrent)
        {
            controls = ReadControls(essential);
            var keep = essential.Select(p => DpkgUnpackRecord.KeepConffiles(controls[p.Name])).ToList();
            extracted = await ExtractConcurrentlyAsync(concurrent, essential, keep, root, traits, req.Architecture, Phase, ct)
                .ConfigureAwait(false);
            dpkgPaths = extracted[essential.FindIndex(p => p.Name == "dpkg")].Paths;
        }
        else dpkgPaths = await ExtractInOrderAsync(extractor, essential, root, ct).ConfigureAwait(false);
        var startStopDaemon = dpkgPaths.Select(NormalizeArchivePath)
            .FirstOrDefault(s => s.EndsWith("sbin/start-stop-daemon", StringComparison.Ordinal));
        InstallDpkgDatabase.Write(root);
        ChrootDevices.Create(root);
        var extractTime = sw.Elapsed;
        var extractCpu = cpu.Lap();

        var chroot = new ChrootRunner(root, req.SourceDateEpoch, childLine);
        var debsDir = Path.Combine(root, DebsDirectory);
        var guards = new ChrootGuards(root, chroot, startStopDaemon);
        TimeSpan essentialTime, remainingTime;
        string essentialCpu, remainingCpu;
        Task repackRemaining = Task.CompletedTask, recordCopies = Task.CompletedTask;
        using var stopRecording = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            var inRoot = DebPathsInRoot(req.Packages);
            Directory.CreateDirectory(debsDir);
            if (extracted is null) RepackDebs(essential, debsDir, inRoot, ct);
            // dpkg works on one core: the other prepares the remaining .debs meanwhile.
            repackRemaining = Task.Run(() => RepackDebs(remaining, debsDir, inRoot, ct), ct);
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
            essentialTime = sw.Elapsed;
            essentialCpu = cpu.Lap();

            sw.Restart();
            await repackRemaining.ConfigureAwait(false);
            if (remaining.Count > 0)
            {
                var relations = ReadRelations(remaining);
                var stray = relations.FirstOrDefault(r => !inRoot.ContainsKey(r.Name));
                if (stray is not null)
                    throw new InstallException(
                        $"A .deb of the remaining set contains package '{stray.Name}', which is not in the plan; the plan's " +
                        "package names and files disagree. Fetch the packages again.");
                var runs = InstallOrder.Runs(relations);
                var byName = remaining.ToDictionary(p => p.Name, StringComparer.Ordinal);
                string dpkgVersion = essential.First(p => p.Name == "dpkg").Version;
                foreach (var run in runs)
                {
                    string what = $"{run.Count} remaining packages{(runs.Count > 1 ? " (pre-dependencies first)" : "")}";
                    // The .debs dpkg would read, as host paths.
                    var debs = run.Select(n => Path.Combine(root, inRoot[n].TrimStart('/'))).ToList();
                    string? reason = extracted is null ? "" : RecordEligibility.ReasonForDpkg(root,
                        run.Select((n, i) => (n, (IReadOnlyList<PackageMember>)RecordEligibility.Members(debs[i], $"package '{n}'"))).ToList());
                    if (reason is null)
                    {
                        Phase($"recording {what} as unpacked (preinsts, dpkg database)");
                        await RecordRunAsync(root, run.Select(n => byName[n]).ToList(), debs, chroot, dpkgVersion, ct).ConfigureAwait(false);
                        Phase($"configuring {what} (dpkg --configure)");
                        await chroot.RunCheckedAsync(["dpkg", "--configure", .. run],
                            $"dpkg --configure of {string.Join(", ", run.Take(5))}{(run.Count > 5 ? ", ..." : "")}", ct).ConfigureAwait(false);
                        continue;
                    }
                    if (reason.Length > 0) Phase($"dpkg unpacks these itself: {reason}");
                    Phase($"installing {what} (dpkg --install)");
                    await chroot.RunCheckedAsync(
                        ["dpkg", "--install", .. run.Select(n => inRoot[n])],
                        $"dpkg --install of {string.Join(", ", run.Take(5))}{(run.Count > 5 ? ", ..." : "")}", ct).ConfigureAwait(false);
                }
            }
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
            catch (OperationCanceledException) { }
            if (Directory.Exists(debsDir)) Directory.Delete(debsDir, recursive: true);
        }
        Phase($"installed {req.Packages.Count} packages (extract {extractTime.TotalSeconds:F1} s [{extractCpu}], essential " +
              $"{essentialTime.TotalSeconds:F1} s [{essentialCpu}], remaining {remainingTime.TotalSeconds:F1} s [{remainingCpu}])");
        return new InstallTimings(extractTime, essentialTime, remainingTime, req.Packages.Count);
    }

    /// <summary>Stage 1 one package after another; returns dpkg's paths.</summary>
    private static async Task<IReadOnlyList<string>> ExtractInOrderAsync(
        IDebExtractor extractor, IReadOnlyList<InstallPackage> essential, string root, CancellationToken ct)
    {
        IReadOnlyList<string> dpkgPaths = [];
        foreach (var p in essential)
        {
            ct.ThrowIfCancellationRequested();
            var paths = await extractor.ExtractDataAsync(p.DebPath, root, p.Name, ct).ConfigureAwait(false);
            if (p.Name == "dpkg") dpkgPaths = paths;
        }
        return dpkgPaths;
    }

    /// <summary>
    /// Stage 1 on every core, largest .debs first (so no big one starts last), then directories set as the one-by-one
    /// extraction would have left them (<see cref="StageOneDirectories"/>), so the image does not change. In the
    /// rare set where even the tree's shape depends on the order, the root is emptied and extracted one by one.
    /// </summary>
    /// <returns>What each package of <paramref name="essential"/> extracted, in the same order.</returns>
    private static async Task<Archives.ExtractedPackage[]> ExtractConcurrentlyAsync(IConcurrentDebExtractor extractor,
        IReadOnlyList<InstallPackage> essential, IReadOnlyList<Func<string, System.Formats.Tar.TarEntry, bool>> keep, string root,
        InstallSuiteTraits traits, string architecture, Action<string> phase, CancellationToken ct)
    {
        var results = new Archives.ExtractedPackage[essential.Count];
        void ExtractOne(int i, CancellationToken token) =>
            results[i] = extractor.Extract(essential[i].DebPath, root, essential[i].Name, token, keep[i]);

        // The packages that lay out the tree (base-files may ship the merged-/usr links itself, as in trixie) go
        // first, alone: everything after them then agrees on what is a directory, and what they created evolves
        // exactly as in a one-by-one extraction (they finished before anything else wrote into it).
        int layout = essential.TakeWhile(p => LaysOutTree(p)).Count();
        for (int i = 0; i < layout; i++) ExtractOne(i, ct);
        var preexisting = StageOneDirectories.Snapshot(root);
        var bySize = Enumerable.Range(layout, essential.Count - layout)
            .OrderByDescending(i => new FileInfo(essential[i].DebPath).Length).ThenBy(i => i).ToList();
        await Parallel.ForEachAsync(bySize,
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct },
            (i, token) =>
            {
                ExtractOne(i, token);
                return ValueTask.CompletedTask;
            }).ConfigureAwait(false);

        var outcomes = StageOneDirectories.Compute(results[layout..], preexisting);
        if (outcomes is null)
        {
            phase("the essential packages disagree on what is a directory: extracting them again, one by one");
            foreach (var entry in Directory.EnumerateFileSystemEntries(root))
                if (Directory.Exists(entry) && !File.GetAttributes(entry).HasFlag(FileAttributes.ReparsePoint))
                    Directory.Delete(entry, recursive: true);
                else File.Delete(entry);
            if (traits.BootstrapperCreatesMergedUsr) InstallMergedUsr.Create(root, architecture);
            for (int i = 0; i < essential.Count; i++) ExtractOne(i, ct);
            return results;
        }
        StageOneDirectories.Apply(outcomes, new Archives.ExtractOptions().ApplyOwners, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        return results;
    }

    /// <summary>
    /// What <c>dpkg --install</c> does for one run of packages up to configuring them, when
    /// <see cref="RecordEligibility"/> finds that it only writes files: the preinsts (before any of the run's files
    /// exist, as policy lets a preinst rely only on essential packages and configured pre-dependencies), one by one
    /// extraction from the prepared .debs in run order (so directories are made as dpkg would make them), then the
    /// database (<see cref="DpkgUnpackRecord"/>).
    /// </summary>
    private static async Task RecordRunAsync(string root, IReadOnlyList<InstallPackage> run, IReadOnlyList<string> debs,
        ChrootRunner chroot, string dpkgVersion, CancellationToken ct)
    {
        var controls = run.Select((p, i) =>
        {
            using var deb = Archives.DebArchive.OpenFile(debs[i], $"package '{p.Name}' {p.Version}");
            return new PackageControl(p, deb.Control);
        }).ToList();
        if (controls.Any(c => c.Control["preinst"] is not null))
        {
            DpkgUnpackRecord.StageControlFiles(root, controls);
            await chroot.RunCheckedAsync(["/bin/sh", "-c", DpkgUnpackRecord.PreinstScript(controls, dpkgVersion)],
                "the pre-installation scripts of the remaining packages", ct).ConfigureAwait(false);
        }
        var before = StageOneDirectories.Snapshot(root);
        var unpacked = new List<UnpackedPackage>();
        for (int i = 0; i < run.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var control = controls[i].Control;
            using var deb = Archives.DebArchive.OpenFile(debs[i], $"package '{run[i].Name}' {run[i].Version}");
            var options = new Archives.ExtractOptions
            {
                Keep = DpkgUnpackRecord.KeepConffiles(control),
                ComputeMd5 = control["md5sums"] is null,
            };
            var extracted = new Archives.SafeExtractor(root, options).Extract(deb, ct, readAhead: false);
            unpacked.Add(new UnpackedPackage(run[i], control, extracted));
        }
        DpkgUnpackRecord.Write(root, unpacked);
        var created = unpacked.SelectMany(u => u.Extracted.Directories).Select(d => d.PhysicalPath).Where(d => !before.Contains(d));
        DpkgUnpackRecord.StampDirectories(unpacked.SelectMany(u => u.Extracted.NonDirectories), created,
            DateTimeOffset.UtcNow.ToUnixTimeSeconds());
    }

    /// <summary>Makes the missing decoded copies (<see cref="Archives.DecodedDataCache"/>), one core, largest first.</summary>
    private static void RecordDecodedCopies(IReadOnlyList<InstallPackage> packages, CancellationToken ct)
    {
        foreach (var p in packages.OrderByDescending(p => new FileInfo(p.DebPath).Length))
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                Archives.DecodedDataCache.Record(p.DebPath, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Only an optimisation for the next build: the .deb was verified and extracted, so go on without.
            }
        }
    }

    /// <summary>Every package's control member, by package name.</summary>
    private static Dictionary<string, Archives.ControlFiles> ReadControls(IReadOnlyList<InstallPackage> packages) =>
        packages.ToDictionary(p => p.Name, p =>
        {
            using var deb = Archives.DebArchive.OpenFile(p.DebPath, $"package '{p.Name}' {p.Version}");
            return deb.Control;
        }, StringComparer.Ordinal);

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

    /// <summary>
    /// base-passwd first: its preinst creates /etc/passwd and /etc/group, which later preinsts (and dpkg's
    /// ownership lookups) need; then base-files, which lays out the directory tree (debootstrap's order). The rest
    /// keep the order they were given in, which makes the run reproducible.
    /// </summary>
    /// <summary>The packages <see cref="OrderEssential"/> puts first because the others rely on what they create.</summary>
    private static bool LaysOutTree(InstallPackage p) => p.Name is "base-passwd" or "base-files";

    internal static List<InstallPackage> OrderEssential(List<InstallPackage> essential)
    {
        static int Rank(InstallPackage p) => p.Name switch { "base-passwd" => 0, "base-files" => 1, _ => 2 };
        return essential.Select((p, i) => (p, i)).OrderBy(t => Rank(t.p)).ThenBy(t => t.i).Select(t => t.p).ToList();
    }

    /// <summary>
    /// Reads Package, Pre-Depends, Depends and Provides from each .deb's control file, in process: the same fields
    /// the root's <c>dpkg-deb --field</c> printed, without a process per package.
    /// </summary>
    private static List<InstallRelations> ReadRelations(IReadOnlyList<InstallPackage> packages) =>
        packages.Select(p =>
        {
            using var deb = Archives.DebArchive.OpenFile(p.DebPath, p.Name);
            var control = deb.Control.ParseControl();
            return new InstallRelations(control["Package"] ?? "", control["Pre-Depends"] ?? "", control["Depends"] ?? "",
                control["Provides"] ?? "");
        }).ToList();

    internal static string NormalizeArchivePath(string p)
    {
        var s = p.StartsWith("./", StringComparison.Ordinal) ? p[1..] : p;
        return s.StartsWith('/') ? s : "/" + s;
    }

    /// <summary>Package name -> path of its .deb inside the root (ROOT/var/cache/bootstrap-debs/...).</summary>
    private static Dictionary<string, string> DebPathsInRoot(IReadOnlyList<InstallPackage> packages)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in packages)
            // Same naming as apt's archive cache (the epoch colon escaped), so dpkg's log lines look familiar.
            map[p.Name] = "/" + DebsDirectory + "/" +
                          $"{p.Name}_{p.Version.Replace(":", "%3a", StringComparison.Ordinal)}_{p.Architecture}.deb";
        return map;
    }

    /// <summary>
    /// Puts each .deb into the root with its data member already decompressed (see <see cref="DebRepack"/>: dpkg then
    /// skips xz on its single-core path), on every core, largest first.
    /// </summary>
    private static void RepackDebs(IReadOnlyList<InstallPackage> packages, string debsDir,
        IReadOnlyDictionary<string, string> inRoot, CancellationToken ct) =>
        Parallel.ForEach(packages.OrderByDescending(p => new FileInfo(p.DebPath).Length),
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct },
            p => DebRepack.WithUncompressedData(p.DebPath, Path.Combine(debsDir, Path.GetFileName(inRoot[p.Name])),
                $"package '{p.Name}' {p.Version}"));

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
        var host = HostArchitecture();
        if (req.Architecture != host)
            throw new InstallException(
                $"Cannot configure a {req.Architecture} root on this {host} host: its maintainer scripts would not run. " +
                $"Build on a {req.Architecture} machine (emulation is not supported).");
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
