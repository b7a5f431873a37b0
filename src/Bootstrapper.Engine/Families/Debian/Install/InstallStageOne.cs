using Bootstrapper.Engine.Archives;
using Bootstrapper.Engine.Families.Debian.Deb;
using Bootstrapper.Engine.Os.Files;

namespace Bootstrapper.Engine.Families.Debian.Install;

/// <summary>Stage 1: the essential set's files, extracted by us before dpkg can run.</summary>
internal static partial class Installer
{
    /// <summary>
    /// Stage 1, and with it the way the essential set is installed: recorded from our own concurrent extraction, or
    /// <c>dpkg --install</c> over files extracted one by one (an extractor that cannot report what it wrote), or
    /// over our extraction when dpkg would give some member another owner than the archive's number.
    /// </summary>
    private static async Task<EssentialStage> StageOneAsync(IDebExtractor extractor, IReadOnlyList<InstallPackage> essential,
        string root, InstallSuiteTraits traits, string architecture, IReadOnlyDictionary<string, string> inRoot, FileWait wait,
        Action<string> phase, CancellationToken ct)
    {
        if (extractor is not IConcurrentDebExtractor concurrent)
            return new DpkgEssential(essential, await ExtractInOrderAsync(extractor, essential, root, wait, ct).ConfigureAwait(false), inRoot);
        var (extracted, controls) = await ExtractConcurrentlyAsync(concurrent, essential, DpkgUnpackRecord.KeepConffiles,
            root, traits, architecture, wait, phase, ct).ConfigureAwait(false);
        var recorded = new RecordedEssential(essential, extracted, controls);
        if (RecordEligibility.EssentialOwnerMismatch(root, extracted.SelectMany(e => e.Owners)) is not { } owner) return recorded;
        phase($"dpkg unpacks the essential packages itself: a member is owned by {owner}");
        return new DpkgEssential(essential, recorded.DpkgPaths, inRoot);
    }

    /// <summary>Stage 1 one package after another; returns dpkg's paths.</summary>
    private static async Task<IReadOnlyList<string>> ExtractInOrderAsync(
        IDebExtractor extractor, IReadOnlyList<InstallPackage> essential, string root, FileWait wait, CancellationToken ct)
    {
        IReadOnlyList<string> dpkgPaths = [];
        foreach (var p in essential)
        {
            await wait(p, ct).ConfigureAwait(false);
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
    /// <returns>What each package of <paramref name="essential"/> extracted, and its control member, in the same order.</returns>
    private static async Task<(ExtractedPackage[] Extracted, ControlFiles[] Controls)> ExtractConcurrentlyAsync(IConcurrentDebExtractor extractor,
        IReadOnlyList<InstallPackage> essential, Func<ControlFiles, Func<string, System.Formats.Tar.TarEntry, bool>> keepFor, string root,
        InstallSuiteTraits traits, string architecture, FileWait wait, Action<string> phase, CancellationToken ct)
    {
        var results = new ExtractedPackage[essential.Count];
        var controls = new ControlFiles[essential.Count];
        void ExtractOne(int i, CancellationToken token) =>
            results[i] = extractor.Extract(essential[i].DebPath, root, essential[i].Name, token, out controls[i], keepFor, essential[i].Sha256);

        // The packages that lay out the tree (base-files may ship the merged-/usr links itself, as in trixie) go
        // first, alone: everything after them then agrees on what is a directory, and what they created evolves
        // exactly as in a one-by-one extraction (they finished before anything else wrote into it).
        int layout = essential.TakeWhile(LaysOutTree).Count();
        for (int i = 0; i < layout; i++)
        {
            await wait(essential[i], ct).ConfigureAwait(false);
            ExtractOne(i, ct);
        }
        var preexisting = StageOneDirectories.Snapshot(root);
        // The download delivers the essential set in this order too (DebianPlan.DownloadOrder): each file is
        // extracted as soon as it is verified.
        var bySize = Enumerable.Range(layout, essential.Count - layout)
            .OrderByDescending(i => essential[i].FileSize).ThenBy(i => i).ToList();
        await Parallel.ForEachAsync(bySize,
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct },
            async (i, token) =>
            {
                await wait(essential[i], token).ConfigureAwait(false);
                ExtractOne(i, token);
            }).ConfigureAwait(false);

        var outcomes = StageOneDirectories.Compute(results[layout..], preexisting);
        if (outcomes is null)
        {
            phase("the essential packages disagree on what is a directory: extracting them again, one by one");
            foreach (var entry in RootFs.List(root, ""))
                RootFs.Delete(root, entry);
            if (traits.BootstrapperCreatesMergedUsr) InstallMergedUsr.Create(root, architecture);
            for (int i = 0; i < essential.Count; i++) ExtractOne(i, ct);
            return (results, controls);
        }
        StageOneDirectories.Apply(outcomes, new ExtractOptions().ApplyOwners, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        return (results, controls);
    }

    /// <summary>
    /// base-passwd first: its preinst creates /etc/passwd and /etc/group, which later preinsts (and dpkg's
    /// ownership lookups) need; then base-files, which lays out the directory tree (debootstrap's order). The rest
    /// keep the order they were given in, which makes the run reproducible.
    /// </summary>
    /// <summary>The packages <see cref="OrderEssential"/> puts first because the others rely on what they create.</summary>
    private static bool LaysOutTree(InstallPackage p) => p.Name is "base-passwd" or "base-files";

    internal static List<InstallPackage> OrderEssential(List<InstallPackage> essential) =>
        essential.Select((p, i) => (p, i)).OrderBy(t => StageOneRank(t.p.Name)).ThenBy(t => t.i).Select(t => t.p).ToList();

    /// <summary>Where stage 1 puts an essential package: base-passwd (0), base-files (1), the rest (2).</summary>
    public static int StageOneRank(string name) => name switch { "base-passwd" => 0, "base-files" => 1, _ => 2 };

    internal static string NormalizeArchivePath(string p)
    {
        var s = p.StartsWith("./", StringComparison.Ordinal) ? p[1..] : p;
        return s.StartsWith('/') ? s : "/" + s;
    }
}
