using Bootstrapper.Core;
using Bootstrapper.Core.Images.Manifest;
using Bootstrapper.Core.Planning;
using Bootstrapper.Core.Recipes;
using Bootstrapper.Engine.Net.Bundles;
using Bootstrapper.Engine.Oci;
using Bootstrapper.Engine.Os.Files;
using Bootstrapper.Engine.Output;
using Bootstrapper.Engine.Rootless;
using Bootstrapper.Engine.Sandbox;

namespace Bootstrapper.Engine.Pipeline;

/// <summary>
/// The pipeline every family shares: plan (verified indices, resolution), download (content-addressed cache),
/// install (the family's, starting on each package as soon as its file is verified), pack (reproducible tar),
/// manifest. Each phase is named and timed. It knows families only through <see cref="IDistroFamily"/> and
/// <see cref="FamilyPlan"/>: the caller names the family (<c>Engine/ImageBuilder.cs</c>).
/// </summary>
/// <remarks>
/// Nothing half-written is left behind: the staging root is removed whatever happens, the packer writes to a
/// temporary name and renames, and the manifest is written the same way after the image.
/// </remarks>
internal static class BuildPipeline
{
    public static async Task<Plan> PlanAsync(IDistroFamily family, Recipe recipe, BuildOptions options, IBuildReporter reporter,
        CancellationToken ct)
    {
        using var session = new BuildSession(recipe, options, reporter);
        return (await PlanAsync(session, family, ct).ConfigureAwait(false)).Plan;
    }

    private static Task<FamilyPlan> PlanAsync(BuildSession session, IDistroFamily family, CancellationToken ct)
    {
        if (session.Options.Locked is { Selection: null })
            session.Reporter.Warning($"{session.Options.LockedPath}: written by an older bootstrap, it records no hash of the " +
                                     "recipe's selection, so a changed recipe goes unnoticed; run `bootstrap lock` to record one");
        return session.PhaseAsync("plan", $"verifying {session.Recipe.Sources.Count} source(s) and resolving",
            () => family.PlanAsync(session, ct),
            plan => $"{Plural.Count(plan.Plan.Packages.Count, "package")}, {plan.Plan.TotalSize / 1048576.0:0.0} MiB");
    }

    /// <summary>
    /// `bootstrap fetch`: plan and download without building; with <paramref name="bundleDirectory"/>, also write a
    /// bundle (a mirror of exactly what the build needs, see <see cref="BundleWriter"/>).
    /// </summary>
    public static async Task<FetchResult> FetchAsync(IDistroFamily family, Recipe recipe, BuildOptions options,
        string? bundleDirectory, IBuildReporter reporter, CancellationToken ct)
    {
        using var session = new BuildSession(recipe, options, reporter);
        var familyPlan = await PlanAsync(session, family, ct).ConfigureAwait(false);
        var plan = familyPlan.Plan;
        var check = new PackageFileCheck(familyPlan);
        var files = await DownloadAsync(session, familyPlan, check, null, ct).ConfigureAwait(false);
        if (bundleDirectory is null) return new FetchResult(plan, files, null);
        // Each package is checked once more as copied into the bundle, so "verified" is said of the bundle's bytes.
        var bundle = await session.PhaseAsync("bundle", bundleDirectory,
            () => Task.Run(() => BundleWriter.Write(bundleDirectory, familyPlan.BundleSuites(session),
                plan.Packages.Select(p => new BundlePackage(familyPlan.BundlePath(p), files[p],
                    (copy, label) => check.Verify(p, copy, label))).ToList()), ct),
            b => $"{b.Files} files, {b.Bytes / 1048576.0:0.0} MiB").ConfigureAwait(false);
        return new FetchResult(plan, files, bundle);
    }

    private static Task<IReadOnlyDictionary<PlannedPackage, string>> DownloadAsync(BuildSession session, FamilyPlan plan,
        PackageFileCheck check, PackageFiles? files, CancellationToken ct) =>
        session.PhaseAsync("download", Plural.Count(plan.Plan.Packages.Count, "package"),
            () => PackageDownload.FetchAllAsync(session, plan.DownloadOrder, check, files, ct),
            f => $"{plan.Plan.TotalSize / 1048576.0:0.0} MiB verified");

    public static async Task<BuildResult> BuildAsync(IDistroFamily family, Recipe recipe, BuildOptions options,
        IBuildReporter reporter, CancellationToken ct)
    {
        using var session = new BuildSession(recipe, options, reporter) { BuildsImage = true };
        var output = options.OutputOverride ?? recipe.Output.Path;
        // A bad output name or compression (or an .oci folder we must not replace), or a host that cannot run the
        // target's maintainer scripts, fails before any download.
        var format = BuildPreflight.Check(session, output);
        // An unsafe staging directory fails before any download too; where the root goes depends on its size, known
        // after the plan, and is checked again there, still before the download.
        StagingArea.Check(StagingLocation.ParentFor(options, neededBytes: null));
        // And a host (or container) that cannot give the install its sandbox.
        await SandboxCommand.CheckAsync(ct).ConfigureAwait(false);

        var familyPlan = await PlanAsync(session, family, ct).ConfigureAwait(false);
        var plan = familyPlan.Plan;
        session.TakeIndexEpoch(plan);
        // Where the root goes, and whether it fits there, is known from the plan: say so before downloading.
        var installedBytes = plan.Packages.Sum(PackageSizes.InstalledBytes);
        var stagingParent = StagingLocation.ParentFor(options, installedBytes);
        StagingArea.Check(stagingParent);
        StagingSpace.Check(stagingParent.Path, installedBytes);

        // A private (0700) folder holds the root: others must not reach setuid binaries or half-configured files
        // in it, nor swap the root, while the root itself keeps the 0755 its "./" entry must have in the image.
        var staging = StagingArea.CreateBuildDirectory(stagingParent, recipe.Name);
        var root = Path.Combine(staging, StagingArea.RootName);
        reporter.Verbose($"staging root: {root}");
        try
        {
            var (files, outcome) = await DownloadAndInstallAsync(session, familyPlan, root, ct).ConfigureAwait(false);
            var os = OsRelease.Parse(RootFs.ReadText(root, "etc/os-release") ?? RootFs.ReadText(root, "usr/lib/os-release") ?? "");

            Directory.CreateDirectory(Path.GetDirectoryName(output)!);
            var packOptions = new PackOptions
            {
                SourceDateEpoch = session.SourceDateEpoch,
                Compression = recipe.Output.Compression,
                CharDeviceStandIns = UserNamespace.IsInside ? ChrootDevices.StandInsForPacking : new Dictionary<string, (uint, uint)>(),
            };
            string? manifestDigest = null;
            var packed = await session.PhaseAsync("pack", Path.GetFileName(output),
                () => Task.Run(() =>
                {
                    var expected = ImagePacker.EstimateTarBytes(root);
                    packOptions = packOptions with { Progress = n => reporter.Progress("pack", n, expected, "bytes") };
                    if (!format.IsOci) return ImagePacker.Pack(root, output, packOptions, ct);
                    var spec = OciImageSpec.From(recipe.Name, recipe.Family.ToString().ToLowerInvariant(),
                        recipe.Architecture, recipe.Image, session.SourceDateEpoch, options.Now());
                    (var result, manifestDigest) = OciOutput.Write(root, output, format, spec, packOptions, ct);
                    return result;
                }, ct),
                p => $"{p.Entries} entries, {p.Bytes / 1048576.0:0.0} MiB").ConfigureAwait(false);

            var manifest = Manifest(session, plan, packed, outcome.Licenses, FileHashes(plan, files)) with
            {
                Os = os,
                ImageConfig = recipe.Image,
                OciManifestDigest = manifestDigest,
                Files = outcome.AddedFiles.Count > 0 ? outcome.AddedFiles : null,
                RunSteps = outcome.RunSteps.Count > 0 ? outcome.RunSteps : null,
            };
            ImageSidecars.Write(output, manifest, Distribution(session.Recipe), options.Now(), options.Sbom);
            return new BuildResult(output, packed.Bytes, packed.Sha256, ImageSidecars.ManifestPath(output), plan.Packages.Count)
            {
                SbomPath = options.Sbom.HasFlag(SbomFormat.Spdx) ? ImageSidecars.SbomPath(output) : null,
                CycloneDxPath = options.Sbom.HasFlag(SbomFormat.CycloneDx) ? ImageSidecars.CycloneDxPath(output) : null,
                Architecture = recipe.Architecture,
            };
        }
        finally
        {
            if (options.KeepStagingRoot) reporter.Info($"staging root kept at {root}");
            else RemoveRoot(staging, reporter);
        }
    }

    /// <summary>
    /// The download and the install side by side: the install takes each package as soon as its file is verified.
    /// Both have ended when this returns or throws (nothing keeps writing into the cache or the root), and the
    /// download's error wins: an install waiting for a file only saw it second-hand.
    /// </summary>
    private static async Task<(IReadOnlyDictionary<PlannedPackage, string> Files, InstallOutcome Outcome)> DownloadAndInstallAsync(
        BuildSession session, FamilyPlan familyPlan, string root, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var cache = new PackageFetcher.Layout(session.PackageCache);
        var files = new PackageFiles(familyPlan.Plan.Packages.ToDictionary(p => p, cache.CachePath));
        var download = DownloadAsync(session, familyPlan, new PackageFileCheck(familyPlan), files, stop.Token);
        var install = session.PhaseAsync("install", "unpacking and configuring",
            () => familyPlan.InstallAsync(session, files, root, stop.Token));
        // A failed download stops the install. A failed install lets the download end by itself: its error, if it
        // has one, is the one to report, exactly as when everything was downloaded first.
        if (await Task.WhenAny(download, install).ConfigureAwait(false) == download && !download.IsCompletedSuccessfully)
            await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(download, install).ConfigureAwait(false);
        }
        catch (Exception) when (download.IsFaulted || install.IsFaulted)
        {
            var cause = download.IsFaulted ? download.Exception! : install.Exception!;
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(cause.InnerException ?? cause);
        }
        return (download.Result, install.Result);
    }

    /// <summary>The purl vendor (<see cref="Recipe.Vendor"/>).</summary>
    private static string Distribution(Recipe recipe) => recipe.Vendor;

    /// <summary>
    /// SHA-256 of the package files whose index gives none (Alpine's gives SHA-1 of the control member only): the
    /// manifest and the SBOM name every package file by SHA-256, and `diff` tells a rebuild by it. The files were
    /// verified by the family before install, so this hashes the bytes that were installed.
    /// </summary>
    private static Dictionary<PlannedPackage, string> FileHashes(Plan plan, IReadOnlyDictionary<PlannedPackage, string> files) =>
        plan.Packages.Where(p => p.Sha256 is null && files.ContainsKey(p)).ToDictionary(p => p, p =>
        {
            using var stream = File.OpenRead(files[p]);
            return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
        });

    private static ImageManifest Manifest(BuildSession session, Plan plan, PackResult packed,
        IReadOnlyDictionary<string, string> licenses, IReadOnlyDictionary<PlannedPackage, string> fileHashes) => new()
        {
            Recipe = session.Recipe.Name,
            Family = session.Recipe.Family.ToString().ToLowerInvariant(),
            Architecture = session.Recipe.Architecture,
            SourceDateEpoch = session.SourceDateEpoch,
            SourceDateEpochFrom = session.IndexEpoch?.Url,
            Image = new ImageFile(Path.GetFileName(packed.Path), packed.Bytes, packed.Sha256),
            Packages = plan.Packages.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => new ManifestPackage
            {
                Name = p.Name,
                Version = p.Version,
                Architecture = p.Architecture,
                Size = p.Size,
                Sha256 = p.Sha256 ?? fileHashes.GetValueOrDefault(p),
                Filename = p.Filename,
                Source = p.Source is { } src && src != p.Name ? src : null,
                License = licenses.GetValueOrDefault(p.Name),
            }).ToList(),
            Indices = plan.Indices.Select(i => new ManifestIndex(i.Url, i.Suite, i.Date, i.SignedBy)).ToList(),
            PhaseSeconds = session.Timings.ToDictionary(t => t.Phase, t => Math.Round(t.Elapsed.TotalSeconds, 2)),
        };


    /// <summary>
    /// Deletes the staging root. Mounts only ever exist inside the child processes' private mount namespaces, so
    /// there is nothing mounted here to recurse into; .NET removes symlinks without following them.
    /// </summary>
    private static void RemoveRoot(string root, IBuildReporter reporter)
    {
        try
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            reporter.Warning($"could not remove the staging root {root}: {e.Message}");
        }
    }
}

/// <summary>What a build produced.</summary>
internal sealed record BuildResult(string ImagePath, long ImageSize, string ImageSha256, string ManifestPath, int PackageCount)
{
    /// <summary>IMAGE.spdx.json: the SPDX 2.3 SBOM written beside the image.</summary>
    public string? SbomPath { get; init; }
    /// <summary>IMAGE.cdx.json: the CycloneDX 1.6 SBOM written beside the image.</summary>
    public string? CycloneDxPath { get; init; }
    /// <summary>The image's architecture (a recipe with `architectures` gives one result per entry).</summary>
    public string Architecture { get; init; } = "";
}

/// <summary>What `bootstrap fetch` did: the plan, each package's verified cache path, and the bundle if one was written.</summary>
internal sealed record FetchResult(Plan Plan, IReadOnlyDictionary<PlannedPackage, string> Files, BundleSummary? Bundle);
