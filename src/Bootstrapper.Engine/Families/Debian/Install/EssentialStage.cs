using Bootstrapper.Engine.Archives;
using Bootstrapper.Engine.Families.Debian.Deb;
using Bootstrapper.Engine.Os.Files;

namespace Bootstrapper.Engine.Families.Debian.Install;

/// <summary>
/// How the essential set, once its files are in the root (stage 1), becomes installed and configured in dpkg's
/// database. Two ways, picked once by stage 1 (<see cref="Installer"/>): <see cref="RecordedEssential"/> records
/// our own extraction (dpkg does not unpack anything a second time), <see cref="DpkgEssential"/> lets
/// <c>dpkg --install</c> unpack over the stage-1 files.
/// </summary>
internal abstract class EssentialStage(IReadOnlyList<InstallPackage> essential)
{
    /// <summary>Stage 1's order: base-passwd, base-files, then as planned.</summary>
    public IReadOnlyList<InstallPackage> Packages { get; } = essential;

    /// <summary>The paths dpkg's own package extracted (to find start-stop-daemon, which the guard diverts).</summary>
    public abstract IReadOnlyList<string> DpkgPaths { get; }

    /// <summary>Whether the remaining packages may be recorded the same way (the extractor says what it wrote).</summary>
    public abstract bool Recordable { get; }

    /// <summary>The essential package that ships <paramref name="path"/>, when stage 1 knows (for a refusal).</summary>
    public virtual string? Shipper(string path) => null;

    /// <summary>Puts the essential .debs where dpkg reads them, when it needs them.</summary>
    public virtual void PrepareDebs(PinnedDirectory debs, IReadOnlyDictionary<string, string> inRoot, CancellationToken ct)
    {
    }

    /// <summary>The start-stop-daemon guard in place, then the essential set installed and configured.</summary>
    public abstract Task InstallAsync(string root, ChrootRunner chroot, ChrootGuards guards, Action<string> phase, CancellationToken ct);

    protected string DpkgVersion => Packages.First(p => p.Name == "dpkg").Version;
}

/// <summary>
/// What <c>dpkg --install</c> does after the files are in place, from our own extraction: the preinsts, the
/// database (<see cref="DpkgUnpackRecord"/>), then <c>dpkg --configure</c> in the same order (dpkg's queue is the
/// command line's order in both cases).
/// </summary>
internal sealed class RecordedEssential(IReadOnlyList<InstallPackage> essential, IReadOnlyList<ExtractedPackage> extracted,
    IReadOnlyList<ControlFiles> controls) : EssentialStage(essential)
{
    public override IReadOnlyList<string> DpkgPaths => extracted[Packages.ToList().FindIndex(p => p.Name == "dpkg")].Paths;

    public override bool Recordable => true;

    public override string? Shipper(string path) =>
        Packages.Where((_, i) => extracted[i].Paths.Any(p => p == path || p.StartsWith(path + "/", StringComparison.Ordinal)))
            .Select(p => $"package '{p.Name}' {p.Version}").FirstOrDefault();

    public override async Task InstallAsync(string root, ChrootRunner chroot, ChrootGuards guards, Action<string> phase,
        CancellationToken ct)
    {
        await guards.InstallAsync(ct).ConfigureAwait(false);
        var unpacked = Packages.Select((p, i) => new UnpackedPackage(p, controls[i], extracted[i])).ToList();
        phase($"recording {Packages.Count} essential packages as unpacked (preinsts, dpkg database)");
        await chroot.RunPreinstsAsync(unpacked, DpkgVersion, ct).ConfigureAwait(false);
        DpkgUnpackRecord.Write(root, unpacked);
        // Stage 1 made the directories; the dpkg flow's dpkg --install found them all there.
        DpkgUnpackRecord.StampDirectories(extracted.SelectMany(e => e.NonDirectories), [], DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        phase($"configuring {Packages.Count} essential packages (dpkg --configure --force-depends)");
        await chroot.ConfigureAsync(["--force-depends", .. Packages.Select(p => p.Name)],
            "dpkg --configure of the essential packages", ct).ConfigureAwait(false);
    }
}

/// <summary>
/// <c>dpkg --install --force-depends</c> of the essential set over the stage-1 files: for an extractor that cannot
/// say what it wrote (a test's), or when dpkg would give some member another owner than the archive's number.
/// </summary>
internal sealed class DpkgEssential(IReadOnlyList<InstallPackage> essential, IReadOnlyList<string> dpkgPaths,
    IReadOnlyDictionary<string, string> inRoot) : EssentialStage(essential)
{
    public override IReadOnlyList<string> DpkgPaths => dpkgPaths;

    public override bool Recordable => false;

    public override void PrepareDebs(PinnedDirectory debs, IReadOnlyDictionary<string, string> paths, CancellationToken ct) =>
        Installer.RepackDebs(Packages, debs, paths, ct, Environment.ProcessorCount);

    public override async Task InstallAsync(string root, ChrootRunner chroot, ChrootGuards guards, Action<string> phase,
        CancellationToken ct)
    {
        await guards.InstallAsync(ct).ConfigureAwait(false);
        phase($"installing {Packages.Count} essential packages (dpkg --install --force-depends)");
        await chroot.RunCheckedAsync(["dpkg", "--install", "--force-depends", .. Packages.Select(p => inRoot[p.Name])],
            "dpkg --install of the essential packages", ct).ConfigureAwait(false);
    }
}
