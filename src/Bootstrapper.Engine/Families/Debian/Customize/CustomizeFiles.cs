using System.Security.Cryptography;
using System.Text;
using Bootstrapper.Core.Customization;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Images.Manifest;
using Bootstrapper.Engine.Families.Debian.Install;
using Bootstrapper.Engine.Os.Files;

namespace Bootstrapper.Engine.Families.Debian.Customize;

/// <summary>
/// Puts a recipe's [[files]] into the root through <see cref="RootFs"/> (a link the packages left in the root
/// leads inside it, never to the host), and says what it wrote, with hashes, for the manifest.
/// </summary>
internal static class CustomizeFiles
{
    public static List<ManifestFile> Apply(string root, IReadOnlyList<FileSpec> files)
    {
        var written = new List<ManifestFile>();
        foreach (var spec in files)
        {
            var (uid, gid) = Owner(root, spec.Owner, spec.Key);
            var owner = $"{uid}:{gid}";
            var dest = spec.Path.TrimStart('/');
            try
            {
                if (spec.Source is { } source && Directory.Exists(source))
                {
                    var origin = $"{spec.Key}: {Path.GetFileName(source)}/";
                    if (RootFs.MakeDirectory(root, dest, 0x1ED, uid, gid))
                        written.Add(new ManifestFile(spec.Path, "directory", "0755", owner, null, null, null, origin));
                    CopyTree(root, source, dest, uid, gid, owner, origin, written);
                }
                else
                {
                    var data = spec.Content is { } content ? Encoding.UTF8.GetBytes(content) : File.ReadAllBytes(spec.Source!);
                    var origin = spec.Content is not null ? $"{spec.Key}: inline" : $"{spec.Key}: {Path.GetFileName(spec.Source)}";
                    written.Add(WriteFile(root, dest, data, spec.Mode ?? 0x1A4, uid, gid, origin));
                }
            }
            catch (IOException e)
            {
                throw new InstallException($"{spec.Key}: cannot put {spec.Path} into the image: {e.Message}", e);
            }
        }
        return written;
    }

    internal static ManifestFile WriteFile(string root, string dest, byte[] data, uint mode, uint uid, uint gid, string origin)
    {
        RootFs.WriteFile(root, dest, data, mode, uid: uid, gid: gid);
        return new ManifestFile("/" + dest, "file", CustomizationReader.Octal(mode), $"{uid}:{gid}", data.Length,
            Convert.ToHexStringLower(SHA256.HashData(data)), null, origin)
        {
            Sha1 = Convert.ToHexStringLower(SHA1.HashData(data)),
        };
    }

    /// <summary>A host tree, in name order (the manifest's order); links are copied as links, never followed.</summary>
    private static void CopyTree(string root, string source, string dest, uint uid, uint gid, string owner, string origin,
        List<ManifestFile> written)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(source).Order(StringComparer.Ordinal))
        {
            var rel = dest + "/" + Path.GetFileName(entry);
            var info = new FileInfo(entry);
            if (info.LinkTarget is { } target)
            {
                RootFs.CreateSymlink(root, rel, target, uid, gid);
                written.Add(new ManifestFile("/" + rel, "symlink", null, owner, null, null, target, origin));
            }
            else if (Directory.Exists(entry))
            {
                if (RootFs.MakeDirectory(root, rel, 0x1ED, uid, gid))
                    written.Add(new ManifestFile("/" + rel, "directory", "0755", owner, null, null, null, origin));
                CopyTree(root, entry, rel, uid, gid, owner, origin, written);
            }
            else
            {
                // Git keeps only the execute bit; so does the image, whatever the checkout's umask made of the rest.
                var mode = (File.GetUnixFileMode(entry) & UnixFileMode.UserExecute) != 0 ? 0x1EDu : 0x1A4u;
                written.Add(WriteFile(root, rel, File.ReadAllBytes(entry), mode, uid, gid, origin));
            }
        }
    }

    /// <summary>"user:group" by name (the image's passwd and group, accounts already made) or number; default root.</summary>
    private static (uint Uid, uint Gid) Owner(string root, string? owner, string key)
    {
        if (owner is null) return (0, 0);
        var parts = owner.Split(':');
        var users = RecordEligibility.Ids(root, "etc/passwd");
        var groups = RecordEligibility.Ids(root, "etc/group");
        uint Id(string name, Dictionary<string, int> ids, string what) =>
            uint.TryParse(name, out var n) ? n
            : ids.TryGetValue(name, out var id) ? (uint)id
            : throw new RecipeException($"{key}.owner \"{owner}\": the image has no {what} '{name}' (add it under [[{what}s]], or give a number)");
        var uid = Id(parts[0], users, "user");
        // "user" alone: the user's primary group, as chown user: would take it.
        uint gid = parts.Length > 1 ? Id(parts[1], groups, "group") : PrimaryGroup(root, parts[0]) ?? uid;
        return (uid, gid);
    }

    private static uint? PrimaryGroup(string root, string user) =>
        RootFs.ReadLines(root, "etc/passwd").Select(l => l.Split(':')).Where(f => f.Length > 3 && f[0] == user)
            .Select(f => uint.TryParse(f[3], out var g) ? g : (uint?)null).FirstOrDefault();
}
