using Bootstrapper.Core.Images;
using Bootstrapper.Engine.Native;

namespace Bootstrapper.Engine.Build;

/// <summary>
/// Reads the declared licence of installed Debian packages from ROOT/usr/share/doc/PKG/copyright (Debian Policy
/// 12.5 puts it there; copyright-format 1.0 makes it machine-readable). The root was configured by maintainer
/// scripts, so its symlinks are resolved as inside a chroot (an absolute target starts again at the root, ".."
/// stops at it): a `doc/PKG -> /etc` or `copyright -> /host/secret` link can never make us read a host file.
/// </summary>
public static class InstalledCopyrights
{
    private const int MaxSymlinks = 40;   // Linux's MAXSYMLINKS
    private const long MaxBytes = 4 << 20; // the largest in bookworm are a few hundred KiB

    public static IReadOnlyDictionary<string, string> Licenses(string root, IEnumerable<string> packages)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in packages.Distinct(StringComparer.Ordinal))
        {
            if (name.Contains('/') || name is "." or "..") continue;
            var path = Resolve(root, $"usr/share/doc/{name}/copyright");
            if (path is null || new FileInfo(path).Length > MaxBytes) continue;
            if (Dep5Copyright.TryGetLicense(File.ReadAllText(path)) is { } license) result[name] = license;
        }
        return result;
    }

    /// <summary>The physical path of a regular file at <paramref name="relative"/> inside the root, or null.</summary>
    public static string? Resolve(string root, string relative)
    {
        root = Path.GetFullPath(root).TrimEnd('/');
        var current = new List<string>();
        var pending = new LinkedList<string>(Split(relative));
        int links = 0;
        while (pending.First is { } first)
        {
            var part = first.Value;
            pending.RemoveFirst();
            if (part == ".") continue;
            if (part == "..")
            {
                if (current.Count > 0) current.RemoveAt(current.Count - 1);
                continue;
            }
            var path = root + "/" + string.Join('/', current.Append(part));
            if (!LibC.TryLstat(path, out var status)) return null;
            if (status.IsSymlink)
            {
                if (++links > MaxSymlinks) return null;
                var target = new FileInfo(path).LinkTarget;
                if (string.IsNullOrEmpty(target)) return null;
                if (target.StartsWith('/')) current.Clear();
                foreach (var t in Split(target).Reverse()) pending.AddFirst(t);
                continue;
            }
            if (pending.Count > 0 && !status.IsDirectory) return null;
            if (pending.Count == 0 && !status.IsRegular) return null;
            current.Add(part);
        }
        return current.Count == 0 ? null : root + "/" + string.Join('/', current);
    }

    private static string[] Split(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);
}
