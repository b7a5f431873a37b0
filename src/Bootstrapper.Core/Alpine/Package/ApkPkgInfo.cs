using System.Globalization;
using Bootstrapper.Core.Alpine.Versions;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Core.Alpine.Package;

/// <summary>
/// The index entry a verified package describes itself with, from its .PKGINFO (the keys abuild writes; apk-tools
/// `apk index` builds APKINDEX stanzas from the same keys: pkgname P, pkgver V, arch A, size I, pkgdesc T, url U,
/// license L, origin o, maintainer m, builddate t, commit c, provider_priority k, depend D, provides p,
/// install_if i). A locked build needs it for a package today's index no longer lists.
/// </summary>
internal static class ApkPkgInfo
{
    /// <param name="contents">A package verified by <see cref="ApkPackageFile.Verify"/>: its checksum is its C:.</param>
    /// <param name="fileSize">Size of the .apk file (S:).</param>
    public static ApkPackageInfo ToPackageInfo(ApkPackageContents contents, long fileSize, string source)
    {
        string? One(string key) => contents.PkgInfo.LastOrDefault(kv => kv.Key == key).Value;
        string? Many(string key)
        {
            var values = contents.PkgInfo.Where(kv => kv.Key == key).Select(kv => kv.Value).ToList();
            return values.Count == 0 ? null : string.Join(' ', values);
        }
        long Num(string key)
        {
            var v = One(key);
            if (string.IsNullOrEmpty(v)) return 0;
            return long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                ? n
                : throw new VerificationException($"{source}: .PKGINFO '{key} = {v}' is not a number.");
        }
        IReadOnlyList<ApkDependency> Deps(string? text)
        {
            try
            {
                return ApkDependency.ParseList(text, $"{source} (.PKGINFO)");
            }
            catch (RecipeException e) // the parser speaks of recipes; here a signed package is malformed
            {
                throw new VerificationException(e.Message, e);
            }
        }
        var depends = Many("depend");
        var provides = Many("provides");
        var installIf = Many("install_if");
        return new ApkPackageInfo
        {
            Checksum = contents.Checksum,
            Name = contents.Name,
            Version = contents.Version,
            Arch = One("arch") ?? "",
            Size = fileSize,
            InstalledSize = Num("size"),
            Description = One("pkgdesc") ?? "",
            Url = One("url") ?? "",
            License = One("license") ?? "",
            Origin = One("origin") ?? "",
            Maintainer = One("maintainer") ?? "",
            BuildTime = Num("builddate"),
            Commit = One("commit") ?? "",
            ProviderPriority = (int)Num("provider_priority"),
            Depends = Deps(depends),
            Provides = Deps(provides),
            InstallIf = Deps(installIf),
            DependsText = depends,
            ProvidesText = provides,
            InstallIfText = installIf,
        };
    }
}
