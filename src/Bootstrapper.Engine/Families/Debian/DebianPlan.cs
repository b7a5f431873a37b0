using Bootstrapper.Core.Customization;
using Bootstrapper.Core.Debian.Control;
using Bootstrapper.Core.Debian.Resolution;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Planning;
using Bootstrapper.Engine.Families.Debian.Customize;
using Bootstrapper.Engine.Families.Debian.Deb;
using Bootstrapper.Engine.Families.Debian.Finalize;
using Bootstrapper.Engine.Families.Debian.Install;
using Bootstrapper.Engine.Families.Debian.Official;
using Bootstrapper.Engine.Families.Debian.Repository;
using Bootstrapper.Engine.Os.Files;
using Bootstrapper.Engine.Pipeline;

namespace Bootstrapper.Engine.Families.Debian;

/// <summary>One mirror and suite the image's own apt sources name.</summary>
internal sealed record ImageSource(string Url, string Suite, IReadOnlyList<string> Components, bool CheckValidUntil);

/// <summary>
/// A Debian plan and what its install and bundle need from the planning: the codename (merged-/usr handling), the
/// essential set (unpacked first, as mmdebstrap does), the mirrors the image names, and the verified indices.
/// The install runs dpkg in the sandbox, starting on the essential set's files as they arrive; then the recipe's
/// customization, the official-image steps and the finalize for an image.
/// </summary>
internal sealed partial class DebianPlan(Plan plan) : FamilyPlan(plan)
{
    /// <summary>The suite's codename ("bookworm"), from the first source's Release.</summary>
    public required string Codename { get; init; }
    /// <summary>The Essential:yes packages and their dependencies: what dpkg needs to run at all.</summary>
    public required IReadOnlySet<string> EssentialSet { get; init; }
    /// <summary>Per recipe source: the mirror, suite and components the image's apt sources name.</summary>
    public required IReadOnlyList<ImageSource> ImageSources { get; init; }
    /// <summary>The verified indices (without their package lists), for a bundle.</summary>
    public required IReadOnlyList<DebianRepositoryIndex> Indices { get; init; }

    /// <summary>
    /// The essential set first, in the order stage 1 extracts it (the packages that lay out the tree, then the
    /// largest), so the install can start while the rest is still coming.
    /// </summary>
    public override IReadOnlyList<PlannedPackage> DownloadOrder =>
        Plan.Packages.Select((p, i) => (p, i))
            .OrderBy(t => EssentialSet.Contains(t.p.Name) ? Installer.StageOneRank(t.p.Name) : 3)
            .ThenByDescending(t => EssentialSet.Contains(t.p.Name) ? t.p.Size : 0)
            .ThenBy(t => t.i)
            .Select(t => t.p).ToList();

    public override async Task<InstallOutcome> InstallAsync(BuildSession session, PackageFiles files, string root,
        CancellationToken ct)
    {
        var recipe = session.Recipe;
        var customizer = new Customizer(session, root);
        var planned = Plan.Packages.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var packages = Plan.Packages.Select(p => new InstallPackage(p.Name, p.Version, p.Architecture, files.PathOf(p),
            EssentialSet.Contains(p.Name), p.Sha256)
        { Size = p.Size }).ToList();
        var progress = new Progress<string>(session.Reporter.Verbose);
        var log = new BoundedLog(400);
        // dpkg prints "Setting up PKG (VERSION) ..." once per configured package: a fair measure of progress. Its
        // lines (and the installer's own "# step" lines) also name the step that a slow moment waits for.
        int configured = 0;
        void OnLine(string line)
        {
            log.Add(line);
            if (DpkgStatusLine.StepOf(line) is { } current) session.Reporter.Step("install", current);
            if (line.StartsWith("Setting up ", StringComparison.Ordinal))
                session.Reporter.Progress("install", Interlocked.Increment(ref configured), packages.Count, "packages");
        }
        try
        {
            var timings = await Installer.InstallAsync(new InstallRequest
            {
                RootDirectory = root,
                Packages = packages,
                Suite = Codename,
                Architecture = recipe.Architecture,
                SourceDateEpoch = session.SourceDateEpoch,
                WaitForFile = (p, token) => files.GetAsync(planned[p.Name], token),
                Log = OnLine,
                Verbose = session.Reporter is not NullReporter,
                AfterEssential = customizer.AfterEssentialAsync,
            }, new SafeDebExtractor(), progress, ct).ConfigureAwait(false);
            session.Timings.Add(("install/extract", timings.Extract));
            session.Timings.Add(("install/essential", timings.Essential));
            session.Timings.Add(("install/remaining", timings.Remaining));
        }
        catch (InstallException e)
        {
            throw new InstallException(e.Message + "\nLast lines of the install log:\n" + log.Tail(40), e);
        }

        var step = System.Diagnostics.Stopwatch.StartNew();
        if (!recipe.Customize.IsEmpty)
        {
            await customizer.AfterPackagesAsync(ct).ConfigureAwait(false);
            session.Timings.Add(("install/customize", step.Elapsed));
            step.Restart();
        }
        // The official images' own steps (debuerreotype), after the packages as there.
        if (recipe.Image?.ContainerConfig == true)
            foreach (var path in OfficialImageSteps.WriteContainerConfig(root))
                session.Reporter.Verbose($"container config: wrote {path}");
        if (recipe.Image?.Slim == true)
            await OfficialImageSteps.SlimifyAsync(new ChrootRunner(root, session.SourceDateEpoch, OnLine), ct)
                .ConfigureAwait(false);
        var signedBy = ArchiveKeyring(root, session.Keyrings);
        Finalizer.Finalize(new FinalizeOptions
        {
            RootDirectory = root,
            Suite = Codename,
            Sources = customizer.ImageSources(signedBy) ?? AptSources(signedBy),
            Vendor = recipe.Vendor,
            Hostname = recipe.Output.Hostname,
            SourceDateEpoch = session.SourceDateEpoch,
            Architecture = recipe.Architecture,
            Installed = Plan.Packages.Select(p => (p.Name, p.Architecture)).ToList(),
            // The names the recipe asked for (a selector "pkg=version" or "pkg/suite" names pkg): marked manual.
            Manual = recipe.Packages.Include.Select(i => PackageSelector.Parse(i).Name).ToHashSet(StringComparer.Ordinal),
            Log = line => session.Reporter.Verbose(line),
        });
        session.Timings.Add(("install/finalize", step.Elapsed));
        if (recipe.Customize.Run.Any(r => r.Stage == RunStage.BeforePack))
        {
            step.Restart();
            await customizer.BeforePackAsync(ct).ConfigureAwait(false);
            session.Timings.Add(("install/before-pack", step.Elapsed));
        }
        return new InstallOutcome
        {
            // Licences are read from the configured root, which is gone once packed.
            Licenses = InstalledCopyrights.Licenses(root, Plan.Packages.Select(p => p.Name)),
            AddedFiles = customizer.Files,
            RunSteps = customizer.Steps,
        };
    }

    /// <summary>
    /// Signed-By of the image's sources: the archive keyring as the image's own keyring package installs it (the
    /// official images do the same), when a recipe keyring of that name exists there.
    /// </summary>
    private static string? ArchiveKeyring(string root, IReadOnlyList<string> keyrings) =>
        keyrings.Select(Path.GetFileName)
            .Select(name => "/usr/share/keyrings/" + name)
            .FirstOrDefault(path => RootFs.IsFile(root, path));

    /// <summary>The image's own apt sources: one stanza per mirror, naming the recipe's suites there.</summary>
    private List<AptSource> AptSources(string? signedBy)
    {
        return ImageSources
            .GroupBy(s => (s.Url, s.CheckValidUntil))
            .Select(g => new AptSource(["deb"], [g.Key.Url], g.Select(s => s.Suite).Distinct().ToList(),
                g.SelectMany(s => s.Components).Distinct().ToList(), signedBy)
            { CheckValidUntil = g.Key.CheckValidUntil })
            .ToList();
    }
}
