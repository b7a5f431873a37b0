using System.Runtime.Versioning;
using System.Text;
using Bootstrapper.Core.Alpine.Database;
using Bootstrapper.Core.Alpine.Index;
using Bootstrapper.Core.Alpine.Package;
using Bootstrapper.Core.Alpine.Resolution;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Locking;
using Bootstrapper.Core.Planning;
using Bootstrapper.Engine.Net.Mirrors;
using Bootstrapper.Engine.Pipeline;

namespace Bootstrapper.Engine.Families.Alpine;

/// <summary>
/// The Alpine family for the pipeline: every recipe source is a branch ("v3.23") whose components are
/// repositories ("main", "community"); the world is <c>packages.include</c>, and <c>packages.exclude</c> become
/// conflicts ("!name"). The plan carries each package's index stanza in <c>Extra["apk.index"]</c>, so installing
/// from a saved plan needs no index.
/// </summary>
[UnsupportedOSPlatform("windows")]
internal sealed partial class AlpineFamily : IDistroFamily, IBundleSource, ILicenseSource, IPackageFileVerifier
{
    public const string IndexStanzaKey = "apk.index";
    public const string ImageRepositoryKey = "apk.repository";

    /// <summary>Each source's mirror, chosen once by <see cref="PlanAsync"/> (the install writes the image's).</summary>
    private List<MirrorChoice> _mirrors = [];
    /// <summary>The verified indexes of the last plan, with the recipe repository they came from.</summary>
    private readonly List<(ApkRepositoryIndex Index, string Branch, string Repository, string IndexUrl, string? Cached)> _indexes = [];
    /// <summary>The index entries the install used (for a locked package today's index lacks: its .PKGINFO's).</summary>
    private readonly Dictionary<string, ApkPackageInfo> _installed = new(StringComparer.Ordinal);

    public async Task<Plan> PlanAsync(BuildSession session, CancellationToken ct)
    {
        var recipe = session.Recipe;
        var keyring = Keyring(session);
        var client = new AlpineRepositoryClient(session.Downloader, session.IndexCache, session.Options.Offline);
        _mirrors = await ChooseMirrorsAsync(session, ct).ConfigureAwait(false);
        _indexes.Clear();
        var imageRepos = new Dictionary<string, string>(StringComparer.Ordinal);
        int order = 0;
        for (int i = 0; i < recipe.Sources.Count; i++)
        {
            var source = recipe.Sources[i];
            var mirror = _mirrors[i];
            foreach (var repo in source.Components)
            {
                var index = await client.FetchAsync(mirror.FetchUrl, source.Suite, repo, recipe.Architecture, keyring, order++, ct).ConfigureAwait(false);
                session.Reporter.Verbose($"{index.Source}: {index.Packages.Count} packages, signed by {index.SignedBy}");
                _indexes.Add((index, source.Suite, repo, index.Source, client.CachedIndexPath(index.Source)));
                imageRepos[AlpineRepositoryClient.RepositoryUrl(mirror.FetchUrl, source.Suite, repo, recipe.Architecture)] =
                    $"{mirror.ImageUrl}/{source.Suite}/{repo}";
            }
        }
        var indexes = _indexes.Select(x => x.Index).ToList();
        var world = recipe.Packages.Include.Concat(recipe.Packages.Exclude.Select(e => "!" + e)).ToList();
        if (recipe.Packages.Include.Count == 0)
            throw new RecipeException("An Alpine recipe needs packages.include (the world), e.g. [\"alpine-base\"].");
        var indices = indexes.Select(x => new IndexInfo
        {
            Url = x.Source,
            Suite = x.Source,
            Date = x.Description,
            SignedBy = [x.SignedBy],
        }).ToList();
        if (session.Options.Locked is { } lockFile)
            return PlanLocked(session, lockFile, indexes, world, indices, imageRepos);
        var resolved = ApkResolver.Resolve(indexes, world);

        return new Plan
        {
            Recipe = recipe,
            Indices = indices,
            Packages = resolved.Select(r => Planned(r.Package, r.Reason, imageRepos)).ToList(),
        };
    }

    private static PlannedPackage Planned(ApkPackageInfo package, string reason, IReadOnlyDictionary<string, string> imageRepos) => new()
    {
        Name = package.Name,
        Version = package.Version,
        Architecture = package.Arch,
        Size = package.Size,
        Sha256 = null, // Alpine indexes carry SHA-1 of the control member (C:), checked on install
        Filename = package.FileName,
        RepositoryUrl = package.RepositoryUrl,
        Reason = reason,
        Extra = new Dictionary<string, string>
        {
            // The lock records it (LockFile.Q1ExtraKey); the package's signature, datahash and this C: pin the file.
            [LockFile.Q1ExtraKey] = package.Checksum,
            // The pipeline's cache key (letters and digits): the control member's SHA-1, as apk's cache.
            ["cacheKey"] = CacheKey(package.Checksum),
            // KiB, like Debian's field: the pipeline sizes the staging area with it.
            ["Installed-Size"] = (package.InstalledSize / 1024 + (package.InstalledSize % 1024 == 0 ? 0 : 1))
                .ToString(System.Globalization.CultureInfo.InvariantCulture), // rounded up without overflowing
            [IndexStanzaKey] = Stanza(package),
            [ImageRepositoryKey] = imageRepos.GetValueOrDefault(package.RepositoryUrl, package.RepositoryUrl),
        },
    };

    private static string CacheKey(string q1) => Convert.ToHexStringLower(Convert.FromBase64String(q1[2..]));

    public async Task InstallAsync(BuildSession session, Plan plan, IReadOnlyDictionary<PlannedPackage, string> files,
        string root, CancellationToken ct)
    {
        var keyring = Keyring(session);
        try
        {
            await InstallVerifiedAsync(session, plan, files, root, keyring, ct).ConfigureAwait(false);
        }
        catch (VerificationException)
        {
            // A cached file changed since the download phase checked it: none that fails stays in the cache.
            foreach (var p in plan.Packages)
                try { VerifyPackageFile(session, p, files[p], files[p]); }
                catch (Exception e) when (e is BootstrapException or IOException) { TryDelete(files[p]); }
            throw;
        }
    }

    private async Task InstallVerifiedAsync(BuildSession session, Plan plan, IReadOnlyDictionary<PlannedPackage, string> files,
        string root, ApkKeyring keyring, CancellationToken ct)
    {
        var items = new List<AlpineInstallItem>();
        _installed.Clear();
        foreach (var p in plan.Packages)
        {
            var info = await InstallInfoAsync(p, files[p], keyring, ct).ConfigureAwait(false) with { RepositoryUrl = p.RepositoryUrl };
            _installed[p.Name] = info;
            items.Add(new AlpineInstallItem(info, files[p]));
        }
        // etc/apk/repositories: every recipe repository in recipe order, with the URL meant for the image.
        if (_mirrors.Count != plan.Recipe.Sources.Count) _mirrors = await ChooseMirrorsAsync(session, ct).ConfigureAwait(false);
        var repositories = new List<string>();
        for (int i = 0; i < plan.Recipe.Sources.Count; i++)
        {
            var source = plan.Recipe.Sources[i];
            repositories.AddRange(source.Components.Select(c => $"{_mirrors[i].ImageUrl}/{source.Suite}/{c}"));
        }
        await AlpineInstaller.InstallAsync(root, items, new AlpineInstallOptions
        {
            Keyring = keyring,
            World = plan.Recipe.Packages.Include,
            Repositories = repositories,
            Architecture = plan.Recipe.Architecture,
            Log = session.Reporter.Verbose,
        }, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The package's signature, its datahash, and the plan's C:, name, version and size: what pins an Alpine file,
    /// whose index gives no SHA-256 of it. Checked on every use from the cache and before a download is kept.
    /// </summary>
    public void VerifyPackageFile(BuildSession session, PlannedPackage package, string file, string label)
    {
        var expected = ApkIndex.Parse(package.Extra[IndexStanzaKey], $"plan ({package.Name})").Single();
        ApkPackageFile.Verify(File.ReadAllBytes(file), Keyring(session), expected, label);
    }

    private static void TryDelete(string file)
    {
        try { File.Delete(file); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>The recipe's keys, read once per build (the fetch checks every package with them).</summary>
    private ApkKeyring Keyring(BuildSession session) => _keyring ??= ApkKeyringFiles.Load(session.Keyrings);

    private ApkKeyring? _keyring;

    private static string Stanza(ApkPackageInfo p)
    {
        var sb = new StringBuilder();
        ApkInstalledDatabase.WriteIndexHeader(sb, p);
        return sb.ToString();
    }
}
