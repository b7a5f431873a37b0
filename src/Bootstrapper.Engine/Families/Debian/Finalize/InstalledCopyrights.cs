using Bootstrapper.Core.Debian.Copyright;
using Bootstrapper.Engine.Os.Files;

namespace Bootstrapper.Engine.Families.Debian.Finalize;

/// <summary>
/// Reads the declared licence of installed Debian packages from ROOT/usr/share/doc/PKG/copyright (Debian Policy
/// 12.5 puts it there; copyright-format 1.0 makes it machine-readable). The root was configured by maintainer
/// scripts, so its symlinks are resolved as inside a chroot (an absolute target starts again at the root, ".."
/// stops at it): a `doc/PKG -> /etc` or `copyright -> /host/secret` link can never make us read a host file.
/// </summary>
internal static class InstalledCopyrights
{
    private const long MaxBytes = 4 << 20; // the largest in bookworm are a few hundred KiB

    public static IReadOnlyDictionary<string, string> Licenses(string root, IEnumerable<string> packages)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in packages.Distinct(StringComparer.Ordinal))
        {
            if (name.Contains('/') || name is "." or "..") continue;
            // Through RootFs: links followed chroot-style, a file larger than MaxBytes skipped.
            if (RootFs.ReadText(root, $"usr/share/doc/{name}/copyright", MaxBytes) is { } text &&
                Dep5Copyright.TryGetLicense(text) is { } license) result[name] = license;
        }
        return result;
    }
}
