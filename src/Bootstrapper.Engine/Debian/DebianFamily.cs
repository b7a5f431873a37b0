using Bootstrapper.Core.Debian;
using Bootstrapper.Core.OpenPgp;
using Bootstrapper.Core.Planning;
using Bootstrapper.Engine.Build;
using Bootstrapper.Engine.Bundles;
using Bootstrapper.Engine.Mirrors;

namespace Bootstrapper.Engine.Debian;

/// <summary>
/// Debian and Ubuntu: InRelease-verified indices, the apt-like resolver, dpkg in a chroot, official-image finalize.
/// One instance serves one build: <see cref="PlanAsync"/> remembers the mirrors and suite facts the install needs.
/// </summary>
public sealed class DebianFamily : IDistroFamily, IBundleSource, ILicenseSource
{
    private List<(string Url, string Suite, IReadOnlyList<string> Components)> _imageSources = [];
    private IReadOnlyList<DebianRepositoryIndex> _indices = [];
    private string _codename = "";
    private HashSet<string> _essentialSet = new(StringComparer.Ordinal);

    public async Task<Plan> PlanAsync(BuildSession session, CancellationToken ct)
    {
        var recipe = session.Recipe;
        var keyring = LoadKeyring(session.Keyrings);
        var client = new DebianRepositoryClient(session.Downloader, session.Options.CacheDirectory, session.Options.Now,
            session.Options.Offline);

        var host = HostAptSources.Read(session.Options.HostRoot)
            .Where(e => e.Type == "deb")
            .Select(e => new MirrorCandidate(e.Uri, e.Suites, e.File))
            .ToList();
        var resolver = new MirrorResolver(session.Options.Environment, host,
            (url, source, token) => client.ProbeAsync(url, source.Suite, keyring, token));
        var mirrors = new List<MirrorChoice>();
        for (int i = 0; i < recipe.Sources.Count; i++)
        {
            var choice = await ChooseMirrorAsync(resolver, session, i, ct).ConfigureAwait(false);
            session.Reporter.Verbose($"{recipe.Sources[i].Suite}: mirror {choice.FetchUrl} (from {choice.Origin})");
            mirrors.Add(choice);
        }
        _imageSources = recipe.Sources.Select((s, i) => (mirrors[i].ImageUrl, s.Suite, s.Components)).ToList();

        var requests = recipe.Sources.Select((s, i) =>
            new DebianRepositoryRequest(mirrors[i].FetchUrl, s.Suite, s.Components, recipe.Architecture, keyring)).ToList();
        var indices = await FetchIndicesAsync(client, requests, ct).ConfigureAwait(false);
        _indices = indices;
        _codename = indices[0].Release.Codename ?? recipe.Sources[0].Suite;

        var sw = System.Diagnostics.Stopwatch.StartNew();
        var universe = PackageUniverse.Build(
            indices.SelectMany(ix => ix.Components.Select(c =>
                new PackagesIndex(c.PackagesText, ix.Request.Root, $"{ix.Request.Suite}/{c.Component}"))),
            recipe.Architecture);
        var request = new DebianResolveRequest
        {
            Variant = DebianVariants.TryParse(recipe.Packages.Variant) ?? DebianVariant.Minbase,
            Include = recipe.Packages.Include,
            Exclude = recipe.Packages.Exclude,
            PreferUsrIsMerged = InstallSuiteTraits.For(_codename).BootstrapperCreatesMergedUsr,
        };
        if (session.Options.Locked is { } lockFile)
            return PlanLocked(session, lockFile, universe, request, mirrors, indices);
        var resolution = DebianResolver.Resolve(universe, request);
        // dpkg itself needs the essential set to run: the installer unpacks it first (as mmdebstrap does).
        var essential = DebianResolver.Resolve(universe, request with { Variant = DebianVariant.Essential, Include = [] });
        _essentialSet = essential.Names.ToHashSet(StringComparer.Ordinal);
        session.Reporter.Verbose(
            $"resolved {resolution.Packages.Count} packages from {universe.StanzaCount} index entries in {sw.ElapsedMilliseconds} ms");

        return new Plan
        {
            Recipe = recipe,
            Packages = resolution.ToPlannedPackages(),
            Indices = indices.Select(i => i.Info).ToList(),
        };
    }

    /// <summary>
    /// The lock's packages, fetched from the mirrors chosen now. The essential set (installed first) is what today's
    /// indices call essential, restricted to the locked names: the lock does not record Essential itself.
    /// </summary>
    private Plan PlanLocked(BuildSession session, Core.Locking.LockFile lockFile, PackageUniverse universe,
        DebianResolveRequest request, List<MirrorChoice> mirrors, IReadOnlyList<DebianRepositoryIndex> indices)
    {
        var recipe = session.Recipe;
        var source = session.Options.LockedPath ?? Core.Locking.LockFile.PathFor(recipe.SourcePath);
        var offered = lockFile.Packages
            .Select(p => universe.Find(p.Name))
            .OfType<DebianPackage>()
            .Select(p => new ResolvedPackage(p, "offered", null).ToPlannedPackage())
            .ToList();
        var fresh = new Plan { Recipe = recipe, Packages = offered, Indices = indices.Select(i => i.Info).ToList() };
        var plan = LockedPlan.Create(lockFile, source, fresh, (repository, suite) =>
        {
            var index = suite is null ? -1 : recipe.Sources.ToList().FindIndex(s => s.Suite == suite);
            return index >= 0 ? mirrors[index].FetchUrl : repository;
        });
        foreach (var warning in LockedPlan.SignerChanges(lockFile, fresh)) session.Reporter.Warning(warning);

        var locked = plan.Packages.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        try
        {
            var essential = DebianResolver.Resolve(universe, request with { Variant = DebianVariant.Essential, Include = [] });
            _essentialSet = essential.Names.Where(locked.Contains).ToHashSet(StringComparer.Ordinal);
        }
        catch (Core.Errors.ResolutionException)
        {
            _essentialSet = universe.Packages.Where(p => p.Essential && locked.Contains(p.Name)).Select(p => p.Name)
                .ToHashSet(StringComparer.Ordinal);
        }
        session.Reporter.Verbose($"locked: {plan.Packages.Count} packages from {source}, " +
                                 $"{plan.Packages.Count(p => p.Reason == "locked")} still offered by today's indices");
        return plan;
    }

    /// <summary>
    /// The mirror of one source. A file:// bundle written by `bootstrap fetch --bundle` records where its suites
    /// came from: unless the recipe names a mirror, the image's apt sources name that one, never the bundle path.
    /// </summary>
    private static async Task<MirrorChoice> ChooseMirrorAsync(MirrorResolver resolver, BuildSession session, int i, CancellationToken ct)
    {
        var source = session.Recipe.Sources[i];
        MirrorChoice choice;
        try
        {
            choice = await resolver.ChooseAsync(source, i, session.Options.MirrorOverride, ct).ConfigureAwait(false);
        }
        catch (Core.Errors.RecipeException e) when (session.Options.Offline)
        {
            throw new Core.Errors.RecipeException(e.Message + " With --offline only the host sources whose InRelease is in the " +
                                                  $"cache ({session.Options.CacheDirectory}) are candidates: run once online with this cache, " +
                                                  "or build from a bundle with --mirror file://BUNDLE.", e);
        }
        if (string.IsNullOrEmpty(source.Mirror) && BundleMetadata.LocalPath(choice.FetchUrl) is { } local
            && BundleMetadata.TryRead(local)?.OriginalMirrors.GetValueOrDefault(source.Suite) is { } original)
            choice = choice with { ImageUrl = original.TrimEnd('/') };
        return choice;
    }

    /// <summary>
    /// All sources' indices; when more than one fails (typically offline with a cold cache), one error lists each
    /// of them rather than only the first.
    /// </summary>
    private static async Task<IReadOnlyList<DebianRepositoryIndex>> FetchIndicesAsync(DebianRepositoryClient client,
        List<DebianRepositoryRequest> requests, CancellationToken ct)
    {
        try
        {
            return await client.FetchAllAsync(requests, ct).ConfigureAwait(false);
        }
        catch (Core.Errors.FetchException first) when (requests.Count > 1)
        {
            var errors = new List<string>();
            foreach (var request in requests)
            {
                try
                {
                    await client.FetchAsync(request, ct).ConfigureAwait(false);
                }
                catch (Core.Errors.FetchException e)
                {
                    errors.Add(e.Message);
                }
            }
            if (errors.Count <= 1) throw;
            throw new Core.Errors.FetchException(
                $"{errors.Count} of {requests.Count} sources could not be fetched:\n  {string.Join("\n  ", errors)}", first);
        }
    }

    public IReadOnlyList<BundleSuite> BundleSuites(BuildSession session)
    {
        var cache = new RepositoryIndexCache(session.Options.CacheDirectory);
        return _indices.Select((ix, i) =>
        {
            // The client caches exactly the signed bytes it verified; they are copied, never re-encoded.
            var dir = cache.ReleaseDirectory(ix.Request.Root, ix.Request.Suite);
            var signed = ix.Info.Url.EndsWith("/InRelease", StringComparison.Ordinal)
                ? new[] { ("InRelease", Path.Combine(dir, "InRelease")) }
                : [("Release", Path.Combine(dir, "Release")), ("Release.gpg", Path.Combine(dir, "Release.gpg"))];
            foreach (var (name, path) in signed)
                if (!File.Exists(path))
                    throw new Core.Errors.FetchException($"{ix.Request.DistsUrl}{name}: verified, but its cached copy {path} " +
                                                         "is gone (another build pruned the cache?); run the fetch again");
            var files = new List<(string, string)>();
            foreach (var c in ix.Components)
            {
                var extension = Path.GetExtension(c.Entry.Path).TrimStart('.');
                var cached = cache.TryGetBlob(c.Entry.Sha256, extension, c.Entry.Size)
                             ?? throw new Core.Errors.FetchException($"{ix.Request.DistsUrl}{c.Entry.Path}: verified, but its cached " +
                                                                     "copy is gone; run the fetch again");
                files.Add((c.Entry.Path, cached));
                // Acquire-By-Hash clients ask for the by-hash name first; a bundle must answer it too.
                if (ix.Release.AcquireByHash)
                    files.Add(($"{Path.GetDirectoryName(c.Entry.Path)}/by-hash/SHA256/{c.Entry.Sha256}", cached));
            }
            return new BundleSuite(ix.Request.Suite, _imageSources[i].Url, signed, files);
        }).ToList();
    }

    public IReadOnlyDictionary<string, string> Licenses(Plan plan, string root) =>
        InstalledCopyrights.Licenses(root, plan.Packages.Select(p => p.Name));

    public async Task InstallAsync(BuildSession session, Plan plan, IReadOnlyDictionary<PlannedPackage, string> files,
        string root, CancellationToken ct)
    {
        var recipe = session.Recipe;
        var packages = plan.Packages.Select(p => new InstallPackage(p.Name, p.Version, p.Architecture, files[p],
            _essentialSet.Contains(p.Name), p.Extra.GetValueOrDefault("Priority"))).ToList();
        var progress = new Progress<string>(line => session.Reporter.Verbose(line));
        var log = new BoundedLog(400);
        // dpkg prints "Setting up PKG (VERSION) ..." once per configured package: a fair measure of progress.
        int configured = 0;
        void OnLine(string line)
        {
            log.Add(line);
            if (line.StartsWith("Setting up ", StringComparison.Ordinal))
                session.Reporter.Progress("install", Interlocked.Increment(ref configured), packages.Count, "packages");
        }
        try
        {
            await Installer.InstallAsync(new InstallRequest
            {
                RootDirectory = root,
                Packages = packages,
                Suite = _codename,
                Architecture = recipe.Architecture,
                SourceDateEpoch = session.SourceDateEpoch,
                Log = OnLine,
                Verbose = session.Reporter is not NullReporter,
            }, new SafeDebExtractor(), progress, ct).ConfigureAwait(false);
        }
        catch (Core.Errors.InstallException e)
        {
            throw new Core.Errors.InstallException(e.Message + "\nLast lines of the install log:\n" + log.Tail(40), e);
        }

        Finalizer.Finalize(new FinalizeOptions
        {
            RootDirectory = root,
            Suite = _codename,
            Sources = ImageSources(root, session.Keyrings),
            Hostname = recipe.Output.Hostname,
            SourceDateEpoch = session.SourceDateEpoch,
            Log = line => session.Reporter.Verbose(line),
        });
    }

    /// <summary>The image's own apt sources: one stanza per mirror, naming the recipe's suites there.</summary>
    private IReadOnlyList<AptSource> ImageSources(string root, IReadOnlyList<string> keyrings)
    {
        // Signed-By names the archive keyring as the image's own keyring package installs it (the official images
        // do the same), when a recipe keyring of that name exists there.
        var signedBy = keyrings.Select(Path.GetFileName)
            .Select(name => "/usr/share/keyrings/" + name)
            .FirstOrDefault(path => File.Exists(Path.Combine(root, path.TrimStart('/'))));
        return _imageSources
            .GroupBy(s => s.Url, StringComparer.Ordinal)
            .Select(g => new AptSource(["deb"], [g.Key], g.Select(s => s.Suite).Distinct().ToList(),
                g.SelectMany(s => s.Components).Distinct().ToList(), signedBy))
            .ToList();
    }

    private static OpenPgpKeyring LoadKeyring(IReadOnlyList<string> paths) =>
        OpenPgpKeyring.Load(paths
            .SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p).Order(StringComparer.Ordinal).ToArray() : new[] { p })
            .Select(p => (p, File.ReadAllBytes(p))));
}
