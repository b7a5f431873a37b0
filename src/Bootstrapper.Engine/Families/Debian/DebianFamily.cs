using Bootstrapper.Core.Customization;
using Bootstrapper.Core.Debian.Control;
using Bootstrapper.Core.Debian.Resolution;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Images.Manifest;
using Bootstrapper.Core.Planning;
using Bootstrapper.Engine.Families.Debian.Customize;
using Bootstrapper.Engine.Families.Debian.Deb;
using Bootstrapper.Engine.Families.Debian.Finalize;
using Bootstrapper.Engine.Families.Debian.Install;
using Bootstrapper.Engine.Families.Debian.Official;
using Bootstrapper.Engine.Families.Debian.Repository;
using Bootstrapper.Engine.Net.Mirrors;
using Bootstrapper.Engine.Os.Files;
using Bootstrapper.Engine.Pipeline;

namespace Bootstrapper.Engine.Families.Debian;

/// <summary>
/// Debian and Ubuntu: InRelease-verified indices, the apt-like resolver, dpkg in a chroot, official-image finalize.
/// One instance serves one build: <see cref="PlanAsync"/> remembers the mirrors and suite facts the install needs.
/// </summary>
internal sealed partial class DebianFamily : IDistroFamily, IBundleSource, ILicenseSource, ICustomizationRecord
{
    private Customizer? _customizer;

    public IReadOnlyList<ManifestFile> AddedFiles => _customizer?.Files ?? [];
    public IReadOnlyList<ManifestRunStep> RunSteps => _customizer?.Steps ?? [];

    private List<(string Url, string Suite, IReadOnlyList<string> Components, bool CheckValidUntil)> _imageSources = [];
    private IReadOnlyList<DebianRepositoryIndex> _indices = [];
    private string _codename = "";
    private HashSet<string> _essentialSet = new(StringComparer.Ordinal);

    public async Task<Plan> PlanAsync(BuildSession session, CancellationToken ct)
    {
        var recipe = session.Recipe;
        // Reading the keyrings (~40 ms, mostly BouncyCastle's first use) overlaps the mirror probes' requests; a
        // probe only needs the keyring once its InRelease has arrived.
        var keyringLoad = Task.Run(() => RepositoryKeyring.Load(session.Keyrings), ct);
        var client = new DebianRepositoryClient(session.Downloader, session.Options.CacheDirectory, session.Options.Now,
            session.Options.Offline)
        { Warn = session.Reporter.Warning };

        var host = HostAptSources.Read(session.Options.HostRoot)
            .Where(e => e.Type == "deb")
            .Select(e => new MirrorCandidate(e.Uri, e.Suites, e.File))
            .ToList();
        var resolver = new MirrorResolver(session.Options.Environment, host,
            (url, source, token) => client.ProbeAsync(url, source.Suite, keyringLoad, session.ExpiryAcceptedBy(source), token));
        var sw = System.Diagnostics.Stopwatch.StartNew();
        List<MirrorChoice> mirrors;
        try
        {
            // Sources are independent: probe their mirrors at the same time (each probe is a round trip).
            mirrors = (await Task.WhenAll(recipe.Sources.Select((_, i) => ChooseMirrorAsync(resolver, client, session, i, ct)))
                .ConfigureAwait(false)).ToList();
        }
        catch (Exception)
        {
            // A keyring that cannot be read fails every probe; its own error says what to fix (and came first
            // when the keyrings were read before choosing mirrors).
            await keyringLoad.ConfigureAwait(false);
            throw;
        }
        var keyring = await keyringLoad.ConfigureAwait(false);
        foreach (var unused in session.Options.Mirrors.UnusedBy(recipe.Name, recipe.Sources))
            session.Reporter.Warning(unused);
        for (int i = 0; i < mirrors.Count; i++)
            session.Reporter.Verbose($"{recipe.Sources[i].Suite}: mirror {mirrors[i].FetchUrl} (from {mirrors[i].Origin})");
        session.Timings.Add(("plan/mirrors", sw.Elapsed));
        _imageSources = recipe.Sources.Select((s, i) =>
            (mirrors[i].ImageUrl, s.Suite, s.Components, s.CheckValidUntil && session.Snapshot is null)).ToList();

        var requests = recipe.Sources.Select((s, i) =>
            new DebianRepositoryRequest(mirrors[i].FetchUrl, s.Suite, s.Components, recipe.Architecture, keyring)
            {
                ExpiryAcceptedBy = session.ExpiryAcceptedBy(s),
            }).ToList();
        sw.Restart();
        var indices = await FetchIndicesAsync(client, requests, ct).ConfigureAwait(false);
        // Bundles need the requests, Releases and entries, not the ~50 MB of index bytes (collected below).
        _indices = indices.Select(ix => ix with
        {
            Components = ix.Components.Select(c => c with { PackagesUtf8 = ReadOnlyMemory<byte>.Empty }).ToList(),
        }).ToList();
        _codename = indices[0].Release.Codename ?? recipe.Sources[0].Suite;
        session.Timings.Add(("plan/indices", sw.Elapsed));

        var plan = Resolve(session, client.Cache, indices, mirrors);
        // A setting that needs a package the set lacks stops here, before anything is downloaded.
        CustomizePlanCheck.Check(recipe.Customize, plan.Packages.Select(p => p.Name));
        // The index bytes and the universe (~63k parsed stanzas) are garbage now. Collecting them here, and giving
        // the memory back, keeps them from adding to the install's peak RSS (async locals live on until the method
        // ends, hence the separate Resolve). The fetch's awaits may have completed inline, leaving frames of the
        // finished async methods (whose state machines hold the ~50 MB of index bytes) below this one on the
        // stack: collecting from there freed nothing. Yielding first resumes on a clean stack (measured: 53 MB
        // still live after the collection without it, 2 MB with it).
        indices = null;
        await Task.Yield();
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return plan;
    }

    /// <summary>Parses the indices into one universe and resolves the recipe's set and the essential set in it.</summary>
    private Plan Resolve(BuildSession session, RepositoryIndexCache cache, IReadOnlyList<DebianRepositoryIndex> indices,
        List<MirrorChoice> mirrors)
    {
        var recipe = session.Recipe;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var selectors = recipe.Packages.Include.Select(PackageSelector.Parse).ToList();
        var universe = ReadUniverse(session, cache, indices, selectors);
        var request = new DebianResolveRequest
        {
            Variant = DebianVariants.TryParse(recipe.Packages.Variant) ?? DebianVariant.Minbase,
            Include = selectors.Select(s => s.Name).ToList(),
            Exclude = recipe.Packages.Exclude,
            PreferUsrIsMerged = InstallSuiteTraits.For(_codename).BootstrapperCreatesMergedUsr,
        };
        var parseTime = sw.Elapsed;
        session.Timings.Add(("plan/parse", parseTime));
        if (session.Options.Locked is { } lockFile)
            return PlanLocked(session, lockFile, universe, request, mirrors, indices);
        var resolution = DebianResolver.Resolve(universe, request);
        // dpkg itself needs the essential set to run: the installer unpacks it first (as mmdebstrap does).
        var essential = DebianResolver.Resolve(universe, request with { Variant = DebianVariant.Essential, Include = [] });
        _essentialSet = essential.Names.ToHashSet(StringComparer.Ordinal);
        session.Timings.Add(("plan/resolve", sw.Elapsed - parseTime));
        session.Reporter.Verbose(
            $"resolved {resolution.Packages.Count} packages from {universe.StanzaCount} index entries in {sw.ElapsedMilliseconds} ms " +
            $"(parse {parseTime.TotalMilliseconds:F0} ms)");

        return new Plan
        {
            Recipe = recipe,
            Packages = resolution.ToPlannedPackages(),
            Indices = indices.Select(i => i.Info).ToList(),
        };
    }

    /// <summary>
    /// The universe of the indices: from the cache's snapshot of the very same indices when there is one (a few
    /// tens of ms), else read from the indices (~200 ms for bookworm) and snapshotted for the next plan.
    /// </summary>
    private static PackageUniverse ReadUniverse(BuildSession session, RepositoryIndexCache cache,
        IReadOnlyList<DebianRepositoryIndex> indices, IReadOnlyList<PackageSelector> selectors)
    {
        var architecture = session.Recipe.Architecture;
        var components = indices.SelectMany(ix => ix.Components.Select(c => (Index: ix, Component: c))).ToList();
        var packages = components.Select(x =>
            new PackagesIndex(x.Component.PackagesUtf8, x.Index.Request.Root, $"{x.Index.Request.Suite}/{x.Component.Component}")).ToList();
        // Selectors that pin a version change the candidates: such a universe is read afresh and never snapshotted.
        if (selectors.Any(s => s.PinsVersion)) return PackageUniverse.Build(packages, architecture, selectors);
        var key = RepositoryIndexCache.UniverseKey(architecture,
            components.Zip(packages, (x, p) => (x.Component.ContentKey, p.PinPriority)));
        if (cache.TryReadUniverse(key) is { } snapshot && PackageUniverse.FromSnapshot(snapshot, packages, architecture) is { } known)
        {
            session.Reporter.Verbose($"package universe: snapshot {cache.UniversePath(key)}");
            return known;
        }
        var universe = PackageUniverse.Build(packages, architecture);
        try
        {
            cache.WriteUniverse(key, universe.ToSnapshot(), TimeSpan.FromDays(1));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            session.Reporter.Verbose($"package universe: not snapshotted ({e.Message}); the next plan reads the indices again");
        }
        return universe;
    }

    public async Task InstallAsync(BuildSession session, Plan plan, IReadOnlyDictionary<PlannedPackage, string> files,
        string root, CancellationToken ct)
    {
        var recipe = session.Recipe;
        var customizer = _customizer = new Customizer(session, root);
        var packages = plan.Packages.Select(p => new InstallPackage(p.Name, p.Version, p.Architecture, files[p],
            _essentialSet.Contains(p.Name), p.Extra.GetValueOrDefault("Priority"), p.Sha256)).ToList();
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
                Suite = _codename,
                Architecture = recipe.Architecture,
                SourceDateEpoch = session.SourceDateEpoch,
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
            Suite = _codename,
            Sources = customizer.ImageSources(signedBy) ?? ImageSources(signedBy),
            Vendor = recipe.Vendor,
            Hostname = recipe.Output.Hostname,
            SourceDateEpoch = session.SourceDateEpoch,
            Architecture = recipe.Architecture,
            Installed = plan.Packages.Select(p => (p.Name, p.Architecture)).ToList(),
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
    private IReadOnlyList<AptSource> ImageSources(string? signedBy)
    {
        return _imageSources
            .GroupBy(s => (s.Url, s.CheckValidUntil))
            .Select(g => new AptSource(["deb"], [g.Key.Url], g.Select(s => s.Suite).Distinct().ToList(),
                g.SelectMany(s => s.Components).Distinct().ToList(), signedBy)
            { CheckValidUntil = g.Key.CheckValidUntil })
            .ToList();
    }
}
