using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Planning;
using Bootstrapper.Engine.Net.Bundles;
using Bootstrapper.Engine.Pipeline;

namespace Bootstrapper.Engine.Families.Alpine;

/// <summary>An Alpine plan's bundle: each repository's signed APKINDEX.tar.gz, with the packages beside it.</summary>
internal sealed partial class AlpinePlan
{
    /// <summary>Each repository's signed APKINDEX.tar.gz, byte for byte as verified, at BRANCH/REPO/ARCH/.</summary>
    public override IReadOnlyList<BundleSuite> BundleSuites(BuildSession session) =>
        Repositories.Select(x =>
        {
            if (x.CachedIndex is null || !File.Exists(x.CachedIndex))
                throw new FetchException($"{x.Index.Source}: verified, but its cached copy is gone (another build pruned the " +
                                         "cache?); run the fetch again");
            var mirror = Mirrors[Plan.Recipe.Sources.ToList().FindIndex(s => s.Suite == x.Branch)];
            return new BundleSuite(x.Branch, mirror.ImageUrl, [("APKINDEX.tar.gz", x.CachedIndex)], [])
            {
                Folder = $"{x.Branch}/{x.Repository}/{Plan.Recipe.Architecture}",
            };
        }).ToList();

    /// <summary>BRANCH/REPO/ARCH/NAME-VERSION.apk: the package beside its repository's index.</summary>
    public override string BundlePath(PlannedPackage package)
    {
        foreach (var r in Repositories)
        {
            var dir = r.Index.Source[..r.Index.Source.LastIndexOf('/')];
            if (string.Equals(dir, package.RepositoryUrl.TrimEnd('/'), StringComparison.Ordinal))
                return $"{AlpineFamily.RepositoryTail(r.Index.Source)}/{package.Filename}";
        }
        throw new FetchException($"{package.Name} {package.Version}: its repository {package.RepositoryUrl} is none of the " +
                                 "recipe's; cannot place it in the bundle");
    }
}
