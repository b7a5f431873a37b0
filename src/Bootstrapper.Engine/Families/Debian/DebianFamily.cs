using Bootstrapper.Core.Customization;
using Bootstrapper.Core.Debian.Control;
using Bootstrapper.Core.Debian.Resolution;
using Bootstrapper.Core.Planning;
using Bootstrapper.Engine.Families.Debian.Install;
using Bootstrapper.Engine.Families.Debian.Repository;
using Bootstrapper.Engine.Net.Mirrors;
using Bootstrapper.Engine.Pipeline;

namespace Bootstrapper.Engine.Families.Debian;

/// <summary>
/// Debian and Ubuntu: InRelease-verified indices and the apt-like resolver. What the install needs from the planning
/// (the essential set, the codename, the mirrors the image names, the indices for a bundle) is in the
/// <see cref="DebianPlan"/> it returns; the install, finalize and bundle steps are there.
/// </summary>
internal sealed partial class DebianFamily : IDistroFamily
{
    public async Task<FamilyPlan> PlanAsync(BuildSession session, CancellationToken ct)
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
        var imageSources = recipe.Sources.Select((s, i) =>
            new ImageSource(mirrors[i].ImageUrl, s.Suite, s.Components, s.CheckValidUntil && session.Snapshot is null)).ToList();

        var requests = recipe.Sources.Select((s, i) =>
            new DebianRepositoryRequest(mirrors[i].FetchUrl, s.Suite, s.Components, recipe.Architecture, keyring)
            {
                ExpiryAcceptedBy = session.ExpiryAcceptedBy(s),
            }).ToList();
        sw.Restart();
        var indices = await FetchIndicesAsync(client, requests, ct).ConfigureAwait(false);
        // Bundles need the requests, Releases and entries, not the ~50 MB of index bytes (collected below).
        var verified = indices.Select(ix => ix with
        {
            Components = ix.Components.Select(c => c with { PackagesUtf8 = ReadOnlyMemory<byte>.Empty }).ToList(),
        }).ToList();
        var codename = indices[0].Release.Codename ?? recipe.Sources[0].Suite;
        session.Timings.Add(("plan/indices", sw.Elapsed));

        var (plan, essential) = Resolve(session, client.Cache, indices, mirrors, codename);
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
        return new DebianPlan(plan)
        {
            Codename = codename,
            EssentialSet = essential,
            ImageSources = imageSources,
            Indices = verified,
        };
    }

    /// <summary>Parses the indices into one universe and resolves the recipe's set and the essential set in it.</summary>
    private static (Plan Plan, IReadOnlySet<string> Essential) Resolve(BuildSession session, RepositoryIndexCache cache,
        IReadOnlyList<DebianRepositoryIndex> indices, List<MirrorChoice> mirrors, string codename)
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
            PreferUsrIsMerged = InstallSuiteTraits.For(codename).BootstrapperCreatesMergedUsr,
        };
        var parseTime = sw.Elapsed;
        session.Timings.Add(("plan/parse", parseTime));
        if (session.Options.Locked is { } lockFile)
            return PlanLocked(session, lockFile, universe, request, mirrors, indices);
        var resolution = DebianResolver.Resolve(universe, request);
        // dpkg itself needs the essential set to run: the installer unpacks it first (as mmdebstrap does).
        var essential = DebianResolver.Resolve(universe, request with { Variant = DebianVariant.Essential, Include = [] });
        session.Timings.Add(("plan/resolve", sw.Elapsed - parseTime));
        session.Reporter.Verbose(
            $"resolved {resolution.Packages.Count} packages from {universe.StanzaCount} index entries in {sw.ElapsedMilliseconds} ms " +
            $"(parse {parseTime.TotalMilliseconds:F0} ms)");

        return (new Plan
        {
            Recipe = recipe,
            Packages = resolution.ToPlannedPackages(),
            Indices = indices.Select(i => i.Info).ToList(),
        }, essential.Names.ToHashSet(StringComparer.Ordinal));
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
}
