using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Archives;
using Bootstrapper.Engine.Families.Debian.Deb;
using Bootstrapper.Engine.Os.Files;

namespace Bootstrapper.Engine.Families.Debian.Install;

/// <summary>
/// The packages after the essential set, in <see cref="InstallOrder"/> runs: extracted by us and recorded when
/// <see cref="RecordEligibility"/> finds that dpkg's unpack would only write files, else <c>dpkg --install</c>.
/// </summary>
internal static partial class Installer
{
    /// <param name="recordable">False when the extractor cannot say what it wrote: then dpkg unpacks everything.</param>
    private static async Task InstallRemainingAsync(string root, IReadOnlyList<InstallPackage> remaining, string dpkgVersion,
        IReadOnlyDictionary<string, string> inRoot, PinnedDirectory debsDirectory, ChrootRunner chroot, bool recordable, Action<string> phase, CancellationToken ct)
    {
        // Each control member once: for the install order here, and for the preinsts and the record below.
        var controls = remaining.ToDictionary(p => p.Name, p =>
        {
            using var deb = DebArchive.OpenFile(p.DebPath, $"package '{p.Name}' {p.Version}");
            return deb.Control;
        }, StringComparer.Ordinal);
        var relations = controls.Values.Select(Relations).ToList();
        var stray = relations.FirstOrDefault(r => !inRoot.ContainsKey(r.Name));
        if (stray is not null)
            throw new InstallException(
                $"A .deb of the remaining set contains package '{stray.Name}', which is not in the plan; the plan's " +
                "package names and files disagree. Fetch the packages again.");
        var runs = InstallOrder.Runs(relations);
        var byName = remaining.ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var run in runs)
        {
            string what = $"{run.Count} remaining packages{(runs.Count > 1 ? " (pre-dependencies first)" : "")}";
            // The .debs dpkg would read, opened by the host without following a link a preinst may have put there.
            DebArchive OpenDeb(string name, string label) =>
                DebArchive.Open(debsDirectory.OpenRead(Path.GetFileName(inRoot[name])), label);
            var members = !recordable ? null : run.Select(n =>
            {
                using var deb = OpenDeb(n, $"package '{n}'");
                return (n, (IReadOnlyList<PackageMember>)RecordEligibility.Members(deb, $"package '{n}'"));
            }).ToList();
            string? reason = members is null ? "" : RecordEligibility.ReasonForDpkg(root, members);
            if (reason is null)
            {
                phase($"recording {what} as unpacked (preinsts, dpkg database)");
                var packages = run.Select(n => byName[n]).ToList();
                var runControls = packages.Select(p => new PackageControl(p, controls[p.Name])).ToList();
                // The first half of what dpkg --install does for the run: the preinsts, before any of its files exist
                // (policy lets a preinst rely only on essential packages and configured pre-dependencies).
                await chroot.RunPreinstsAsync(runControls, dpkgVersion, ct).ConfigureAwait(false);
                // dpkg reads diversions, overrides and users as each package's preinst left them: look again.
                reason = RecordEligibility.ReasonForDpkg(root, members!);
                if (reason is null)
                {
                    ExtractAndRecord(root, runControls, OpenDeb, ct);
                    phase($"configuring {what} (dpkg --configure)");
                    await chroot.ConfigureAsync(run,
                        $"dpkg --configure of {string.Join(", ", run.Take(5))}{(run.Count > 5 ? ", ..." : "")}", ct).ConfigureAwait(false);
                    continue;
                }
                // dpkg runs the preinsts again: policy requires them to be idempotent.
                reason += " (after the preinsts ran)";
            }
            if (reason.Length > 0) phase($"dpkg unpacks these itself: {reason}");
            phase($"installing {what} (dpkg --install)");
            await chroot.RunCheckedAsync(
                ["dpkg", "--install", .. run.Select(n => inRoot[n])],
                $"dpkg --install of {string.Join(", ", run.Take(5))}{(run.Count > 5 ? ", ..." : "")}", ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The second half: extraction from the prepared .debs one by one in run order (so directories are made as dpkg
    /// would make them), then the database (<see cref="DpkgUnpackRecord"/>).
    /// </summary>
    private static void ExtractAndRecord(string root, IReadOnlyList<PackageControl> run,
        Func<string, string, DebArchive> openDeb, CancellationToken ct)
    {
        var before = StageOneDirectories.Snapshot(root);
        var unpacked = new List<UnpackedPackage>();
        for (int i = 0; i < run.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var (package, control) = (run[i].Package, run[i].Control);
            using var deb = openDeb(package.Name, $"package '{package.Name}' {package.Version}");
            var options = new ExtractOptions
            {
                Keep = DpkgUnpackRecord.KeepConffiles(control),
                ComputeMd5 = control["md5sums"] is null,
                Limit = control.UnpackLimit(new FileInfo(package.DebPath).Length),
            };
            var extracted = new SafeExtractor(root, options).Extract(deb, ct, readAhead: false);
            unpacked.Add(new UnpackedPackage(package, control, extracted));
        }
        DpkgUnpackRecord.Write(root, unpacked);
        var created = unpacked.SelectMany(u => u.Extracted.Directories).Select(d => d.PhysicalPath).Where(d => !before.Contains(d));
        DpkgUnpackRecord.StampDirectories(unpacked.SelectMany(u => u.Extracted.NonDirectories), created,
            DateTimeOffset.UtcNow.ToUnixTimeSeconds());
    }

    /// <summary>Package, Pre-Depends, Depends and Provides of a control member: what decides the install order.</summary>
    private static InstallRelations Relations(ControlFiles control)
    {
        var fields = control.ParseControl();
        return new InstallRelations(fields["Package"] ?? "", fields["Pre-Depends"] ?? "", fields["Depends"] ?? "",
            fields["Provides"] ?? "");
    }
}
