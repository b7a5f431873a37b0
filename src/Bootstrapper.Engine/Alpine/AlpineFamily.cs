using System.Runtime.Versioning;
using System.Text;
using Bootstrapper.Core.Alpine;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Planning;
using Bootstrapper.Engine.Build;
using Bootstrapper.Engine.Mirrors;

namespace Bootstrapper.Engine.Alpine;

/// <summary>
/// The Alpine family for the pipeline: every recipe source is a branch ("v3.23") whose components are
/// repositories ("main", "community"); the world is <c>packages.include</c>, and <c>packages.exclude</c> become
/// conflicts ("!name"). The plan carries each package's index stanza in <c>Extra["apk.index"]</c>, so installing
/// from a saved plan needs no index.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class AlpineFamily : IDistroFamily
{
    public const string IndexStanzaKey = "apk.index";
    public const string ImageRepositoryKey = "apk.repository";

    public async Task<Plan> PlanAsync(BuildSession session, CancellationToken ct)
    {
        var recipe = session.Recipe;
        var keyring = ApkKeyringFiles.Load(session.Keyrings);
        var client = new AlpineRepositoryClient(session.Downloader, session.IndexCache, session.Options.Offline);
        var mirrors = new MirrorResolver(session.Options.Environment, [], (_, _, _) => Task.FromResult(false));
        var indexes = new List<ApkRepositoryIndex>();
        var imageRepos = new Dictionary<string, string>(StringComparer.Ordinal);
        int order = 0;
        for (int i = 0; i < recipe.Sources.Count; i++)
        {
            var source = recipe.Sources[i];
            var mirror = await mirrors.ChooseAsync(source, i, session.Options.MirrorOverride, ct);
            foreach (var repo in source.Components)
            {
                var index = await client.FetchAsync(mirror.FetchUrl, source.Suite, repo, recipe.Architecture, keyring, order++, ct);
                session.Reporter.Verbose($"{index.Source}: {index.Packages.Count} packages, signed by {index.SignedBy}");
                indexes.Add(index);
                imageRepos[AlpineRepositoryClient.RepositoryUrl(mirror.FetchUrl, source.Suite, repo, recipe.Architecture)] =
                    $"{mirror.ImageUrl}/{source.Suite}/{repo}";
            }
        }
        var world = recipe.Packages.Include.Concat(recipe.Packages.Exclude.Select(e => "!" + e)).ToList();
        if (recipe.Packages.Include.Count == 0)
            throw new RecipeException("An Alpine recipe needs packages.include (the world), e.g. [\"alpine-base\"].");
        var resolved = ApkResolver.Resolve(indexes, world);

        return new Plan
        {
            Recipe = recipe,
            Indices = indexes.Select(x => new IndexInfo
            {
                Url = x.Source, Suite = x.Source, Date = x.Description, SignedBy = [x.SignedBy],
            }).ToList(),
            Packages = resolved.Select(r => new PlannedPackage
            {
                Name = r.Package.Name,
                Version = r.Package.Version,
                Architecture = r.Package.Arch,
                Size = r.Package.Size,
                Sha256 = null, // Alpine indexes carry SHA-1 of the control member (C:), checked on install
                Filename = r.Package.FileName,
                RepositoryUrl = r.Package.RepositoryUrl,
                Reason = r.Reason,
                Extra = new Dictionary<string, string>
                {
                    ["apk.checksum"] = r.Package.Checksum,
                    // The pipeline's cache key (letters and digits): the control member's SHA-1, as apk's cache.
                    ["cacheKey"] = Convert.ToHexStringLower(Convert.FromBase64String(r.Package.Checksum[2..])),
                    // KiB, like Debian's field: the pipeline sizes the staging area with it.
                    ["Installed-Size"] = ((r.Package.InstalledSize + 1023) / 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    [IndexStanzaKey] = Stanza(r.Package),
                    [ImageRepositoryKey] = imageRepos.GetValueOrDefault(r.Package.RepositoryUrl, r.Package.RepositoryUrl),
                },
            }).ToList(),
        };
    }

    public async Task InstallAsync(BuildSession session, Plan plan, IReadOnlyDictionary<PlannedPackage, string> files,
        string root, CancellationToken ct)
    {
        var keyring = ApkKeyringFiles.Load(session.Keyrings);
        var items = plan.Packages.Select(p =>
        {
            var info = ApkIndex.Parse(p.Extra[IndexStanzaKey], $"plan ({p.Name})").Single() with { RepositoryUrl = p.RepositoryUrl };
            return new AlpineInstallItem(info, files[p]);
        }).ToList();
        // etc/apk/repositories: every recipe repository in recipe order, with the URL meant for the image.
        var repositories = new List<string>();
        var mirrors = new MirrorResolver(session.Options.Environment, [], (_, _, _) => Task.FromResult(false));
        for (int i = 0; i < plan.Recipe.Sources.Count; i++)
        {
            var source = plan.Recipe.Sources[i];
            var mirror = await mirrors.ChooseAsync(source, i, session.Options.MirrorOverride, ct);
            repositories.AddRange(source.Components.Select(c => $"{mirror.ImageUrl}/{source.Suite}/{c}"));
        }
        await AlpineInstaller.InstallAsync(root, items, new AlpineInstallOptions
        {
            Keyring = keyring,
            World = plan.Recipe.Packages.Include,
            Repositories = repositories,
            Architecture = plan.Recipe.Architecture,
            Log = session.Reporter.Verbose,
        }, ct);
    }

    private static string Stanza(ApkPackageInfo p)
    {
        var sb = new StringBuilder();
        ApkInstalledDatabase.WriteIndexHeader(sb, p);
        return sb.ToString();
    }
}
