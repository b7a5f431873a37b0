using System.Runtime.Versioning;
using Bootstrapper.Core.Alpine;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Engine.Alpine;

/// <summary>
/// Extracts into a root like a chroot would see it, but never writes outside it: names must be relative without
/// "." or ".." components; a symlink met on the way is followed with root-relative semantics (an absolute target
/// means root + target) and refused if it leads outside; the last component is replaced, never written through;
/// hard links must point at a regular file already inside the root. Owners are the numeric ids of the archive.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class SafeApkExtractor : IApkDataExtractor
{
    private const int MaxSymlinkHops = 40; // Linux's MAXSYMLINKS

    public void Extract(string root, IReadOnlyList<ApkTarEntry> entries, string package)
    {
        var rootFull = Path.GetFullPath(root).TrimEnd('/');
        foreach (var e in entries)
        {
            var parts = SplitName(e.Name, package);
            if (parts.Length == 0) continue; // "./" itself
            var parent = ResolveDirectory(rootFull, parts[..^1], package, e.Name);
            var target = Path.Combine(parent, parts[^1]);
            try
            {
                ExtractOne(rootFull, e, target, package);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new InstallException($"{package}: cannot extract '{e.Name}': {ex.Message}", ex);
            }
        }
    }

    private static void ExtractOne(string root, ApkTarEntry e, string target, string package)
    {
        var existing = new FileInfo(target);
        bool exists = existing.Exists || Directory.Exists(target) || existing.LinkTarget is not null;
        switch (e.Type)
        {
            case '5':
                if (existing.LinkTarget is not null)
                {
                    // e.g. usr-merge links: keep the link if it leads to a directory inside the root.
                    var resolved = ResolveDirectory(root, Relative(root, target).Split('/'), package, e.Name);
                    if (!Directory.Exists(resolved))
                        throw new InstallException($"{package}: '{e.Name}' is a directory in the package but a symlink in the root.");
                    return;
                }
                if (File.Exists(target)) File.Delete(target);
                Directory.CreateDirectory(target);
                break;
            case '0' or '7':
                RemoveNonDirectory(target, exists, e.Name, package);
                using (var fs = new FileStream(target, FileMode.CreateNew, FileAccess.Write))
                    fs.Write(e.Data.Span);
                break;
            case '2':
                RemoveNonDirectory(target, exists, e.Name, package);
                File.CreateSymbolicLink(target, e.LinkName);
                LinuxFs.LChown(target, e.Uid, e.Gid);
                return; // symlink modes are meaningless; times are clamped by the image packer
            case '1':
            {
                var linkParts = SplitName(e.LinkName, package);
                if (linkParts.Length == 0) throw new InstallException($"{package}: hard link '{e.Name}' has an empty target.");
                var linkDir = ResolveDirectory(root, linkParts[..^1], package, e.Name);
                var source = Path.Combine(linkDir, linkParts[^1]);
                var info = new FileInfo(source);
                if (!info.Exists || info.LinkTarget is not null)
                    throw new InstallException(
                        $"{package}: hard link '{e.Name}' -> '{e.LinkName}': the target is not a regular file extracted before it.");
                RemoveNonDirectory(target, exists, e.Name, package);
                LinuxFs.Link(source, target);
                return;
            }
            case '3' or '4' or '6':
            {
                RemoveNonDirectory(target, exists, e.Name, package);
                uint type = e.Type == '3' ? LinuxFs.SIfChr : e.Type == '4' ? LinuxFs.SIfBlk : LinuxFs.SIfIfo;
                int major = e.Pax.TryGetValue("devmajor", out var ma) ? int.Parse(ma) : 0;
                int minor = e.Pax.TryGetValue("devminor", out var mi) ? int.Parse(mi) : 0;
                LinuxFs.Mknod(target, type, e.Mode, major, minor);
                break;
            }
            default:
                throw new InstallException($"{package}: '{e.Name}' has unsupported tar type '{e.Type}'.");
        }
        LinuxFs.LChown(target, e.Uid, e.Gid);
        // chmod after chown: chown clears setuid/setgid bits.
        File.SetUnixFileMode(target, (UnixFileMode)e.Mode);
        var time = DateTimeOffset.FromUnixTimeSeconds(e.MTime).UtcDateTime;
        if (e.Type == '5') Directory.SetLastWriteTimeUtc(target, time);
        else File.SetLastWriteTimeUtc(target, time);
    }

    private static void RemoveNonDirectory(string target, bool exists, string name, string package)
    {
        if (!exists) return;
        var info = new FileInfo(target);
        if (info.LinkTarget is null && Directory.Exists(target))
            throw new InstallException($"{package}: '{name}' would replace a directory.");
        info.Delete(); // deletes a symlink itself, never what it points to
    }

    /// <summary>Splits a member name into components, refusing absolute names and "."/".." components.</summary>
    private static string[] SplitName(string name, string package)
    {
        var n = name;
        while (n.StartsWith("./", StringComparison.Ordinal)) n = n[2..];
        n = n.TrimEnd('/');
        if (n.Length == 0 || n == ".") return [];
        if (n.StartsWith('/'))
            throw new InstallException($"{package}: refusing absolute path '{name}' in the package.");
        var parts = n.Split('/');
        foreach (var p in parts)
            if (p is "" or "." or ".." || p.Any(char.IsControl))
                throw new InstallException($"{package}: refusing path '{name}' (it contains '{p}'): it could escape the root.");
        return parts;
    }

    /// <summary>
    /// Walks <paramref name="parts"/> from the root, following symlinks with chroot semantics, and returns the real
    /// directory path. Any step that would leave the root is refused.
    /// </summary>
    private static string ResolveDirectory(string root, string[] parts, string package, string entry)
    {
        var pending = new Stack<string>(parts.Reverse());
        var current = root;
        int hops = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part is "" or ".") continue;
            if (part == "..")
            {
                if (current == root)
                    throw new InstallException($"{package}: '{entry}' leads outside the root through a symlink; refused.");
                current = Path.GetDirectoryName(current)!;
                continue;
            }
            var next = current + "/" + part;
            var info = new FileInfo(next);
            if (info.LinkTarget is { } link)
            {
                if (++hops > MaxSymlinkHops)
                    throw new InstallException($"{package}: '{entry}': too many levels of symlinks.");
                if (link.StartsWith('/')) current = root;
                foreach (var p in link.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse()) pending.Push(p);
                continue;
            }
            if (!Directory.Exists(next))
            {
                if (File.Exists(next))
                    throw new InstallException($"{package}: '{entry}': '{Relative(root, next)}' is not a directory.");
                Directory.CreateDirectory(next); // apk wants the dirent earlier; a 0755 parent is what it would make
            }
            current = next;
        }
        return current;
    }

    private static string Relative(string root, string path) => path.Length > root.Length ? path[(root.Length + 1)..] : "";
}
