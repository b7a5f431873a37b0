using System.Security.Cryptography;
using System.Text;
using Bootstrapper.Core.Alpine.Package;
using Bootstrapper.Core.Alpine.Versions;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Core.Alpine.Database;

/// <summary>Owner and permission bits of an installed path (apk "acl").</summary>
internal readonly record struct ApkAcl(int Uid, int Gid, int Mode)
{
    public static readonly ApkAcl DefaultDir = new(0, 0, 0x1ed);   // 0755
    public static readonly ApkAcl DefaultFile = new(0, 0, 0x1a4);  // 0644
    public override string ToString() => $"{Uid}:{Gid}:{Convert.ToString(Mode, 8)}";
}

internal sealed record ApkInstalledFile(string Name, ApkAcl Acl, byte[]? Sha1);

internal sealed record ApkInstalledDir(string Path, ApkAcl Acl, IReadOnlyList<ApkInstalledFile> Files);

/// <summary>What lib/apk/db/installed records for one package.</summary>
internal sealed record ApkInstalledPackage(ApkPackageInfo Info, IReadOnlyList<ApkInstalledDir> Dirs,
    IReadOnlyList<string> Triggers, IReadOnlyDictionary<string, byte[]> Scripts);

/// <summary>
/// apk's installed-package database (apk-tools database.c apk_db_fdb_write, apk_db_triggers_write,
/// apk_db_scriptdb_write, apk_db_write_layers). Packages are written sorted by name (apk_name_cmp_display:
/// case-insensitive, then byte order); nothing depends on the clock.
/// </summary>
internal static class ApkInstalledDatabase
{
    /// <summary>Collects directories and files of a package from its data entries, as apk_db_install_file does.</summary>
    public static IReadOnlyList<ApkInstalledDir> Describe(IReadOnlyList<ApkTarEntry> entries, string package)
    {
        var dirs = new SortedDictionary<string, (ApkAcl Acl, List<ApkInstalledFile> Files)>(StringComparer.Ordinal);
        var fileSha = new Dictionary<string, byte[]?>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            var name = e.Name.TrimEnd('/');
            if (name.StartsWith("./", StringComparison.Ordinal)) name = name[2..];
            if (name is "" or ".") continue; // the archive's own root entry
            // apk_db_install_file's sanity check, made fatal: nothing here may name a path outside the root.
            if (name.StartsWith('/'))
                throw new InstallException($"{package}: refusing absolute path '{e.Name}' in the package.");
            foreach (var part in name.Split('/'))
                if (part is "" or "." or ".." || part.Any(char.IsControl))
                    throw new InstallException(
                        $"{package}: refusing path '{e.Name}' (it contains '{part}'): it could escape the root.");
            if (e.Type == '5')
            {
                dirs[name] = (new ApkAcl(e.Uid, e.Gid, e.Mode), dirs.TryGetValue(name, out var d) ? d.Files : []);
                continue;
            }
            int slash = name.LastIndexOf('/');
            var dir = slash < 0 ? "" : name[..slash];
            var file = name[(slash + 1)..];
            if (!dirs.TryGetValue(dir, out var entry))
            {
                // apk refuses a file whose directory has no entry earlier in the archive ("no dirent in archive").
                if (dir.Length > 0)
                    throw new InstallException($"{package}: '{name}' has no directory entry for '{dir}' before it.");
                dirs[dir] = entry = (ApkAcl.DefaultDir, []);
            }
            byte[]? sha1 = e.Type switch
            {
                '0' or '7' => SHA1.HashData(e.Data.Span),
                '2' => PaxSha1(e) ?? SHA1.HashData(Encoding.UTF8.GetBytes(e.LinkName)),
                '1' => fileSha.GetValueOrDefault(e.LinkName.TrimStart('.', '/')),
                _ => null,
            };
            if (e.Type is '0' or '7' && PaxSha1(e) is { } claimed && !claimed.AsSpan().SequenceEqual(sha1))
                throw new VerificationException($"{package}: '{name}' does not match its APK-TOOLS.checksum.SHA1.");
            fileSha[name] = sha1;
            entry.Files.Add(new ApkInstalledFile(file, new ApkAcl(e.Uid, e.Gid, e.Mode), sha1));
        }
        return dirs.Select(kv => new ApkInstalledDir(kv.Key, kv.Value.Acl,
            kv.Value.Files.OrderBy(f => f.Name, StringComparer.Ordinal).ToArray())).ToArray();
    }

    private static byte[]? PaxSha1(ApkTarEntry e) =>
        e.Pax.TryGetValue("APK-TOOLS.checksum.SHA1", out var hex) ? Convert.FromHexString(hex) : null;

    public static IEnumerable<ApkInstalledPackage> Sorted(IEnumerable<ApkInstalledPackage> packages) =>
        packages.OrderBy(p => p.Info.Name, StringComparer.OrdinalIgnoreCase)
            .ThenBy(p => p.Info.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Info.Version, Comparer<string>.Create(ApkVersion.Compare));

    /// <summary>lib/apk/db/installed.</summary>
    public static string FormatInstalled(IEnumerable<ApkInstalledPackage> packages)
    {
        var sb = new StringBuilder();
        foreach (var p in Sorted(packages))
        {
            WriteIndexHeader(sb, p.Info);
            foreach (var d in p.Dirs)
            {
                sb.Append("F:").Append(d.Path).Append('\n');
                if (d.Acl != ApkAcl.DefaultDir) sb.Append("M:").Append(d.Acl).Append('\n');
                foreach (var f in d.Files)
                {
                    sb.Append("R:").Append(f.Name).Append('\n');
                    if (f.Acl != ApkAcl.DefaultFile) sb.Append("a:").Append(f.Acl).Append('\n');
                    if (f.Sha1 is not null) sb.Append("Z:Q1").Append(Convert.ToBase64String(f.Sha1)).Append('\n');
                }
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>The index fields in apk_pkg_write_index_header's order and conditions.</summary>
    public static void WriteIndexHeader(StringBuilder sb, ApkPackageInfo p)
    {
        sb.Append("C:").Append(p.Checksum).Append('\n');
        sb.Append("P:").Append(p.Name).Append('\n');
        sb.Append("V:").Append(p.Version).Append('\n');
        if (p.Arch.Length > 0) sb.Append("A:").Append(p.Arch).Append('\n');
        sb.Append("S:").Append(p.Size).Append('\n');
        sb.Append("I:").Append(p.InstalledSize).Append('\n');
        sb.Append("T:").Append(p.Description).Append('\n');
        sb.Append("U:").Append(p.Url).Append('\n');
        sb.Append("L:").Append(p.License).Append('\n');
        if (p.Origin.Length > 0) sb.Append("o:").Append(p.Origin).Append('\n');
        if (p.Maintainer.Length > 0) sb.Append("m:").Append(p.Maintainer).Append('\n');
        if (p.BuildTime != 0) sb.Append("t:").Append(p.BuildTime).Append('\n');
        if (p.Commit.Length > 0) sb.Append("c:").Append(p.Commit).Append('\n');
        if (p.ProviderPriority != 0) sb.Append("k:").Append(p.ProviderPriority).Append('\n');
        // Dependency lists are re-emitted as the index wrote them (apk's own writer produced that text).
        if (p.Depends.Count > 0) sb.Append("D:").Append(p.DependsText ?? string.Join(' ', p.Depends)).Append('\n');
        if (p.Provides.Count > 0) sb.Append("p:").Append(p.ProvidesText ?? string.Join(' ', p.Provides)).Append('\n');
        if (p.InstallIf.Count > 0) sb.Append("i:").Append(p.InstallIfText ?? string.Join(' ', p.InstallIf)).Append('\n');
    }

    /// <summary>lib/apk/db/triggers: "Q1... /glob /glob" per package with triggers.</summary>
    public static string FormatTriggers(IEnumerable<ApkInstalledPackage> packages)
    {
        var sb = new StringBuilder();
        foreach (var p in Sorted(packages).Where(p => p.Triggers.Count > 0))
            sb.Append(p.Info.Checksum).Append(' ').Append(string.Join(' ', p.Triggers)).Append('\n');
        return sb.ToString();
    }

    /// <summary>
    /// lib/apk/db/scripts.tar: one entry per script named "name-version.X1&lt;hex sha1 of control&gt;.type", mode
    /// 0755, mtime = the package's build time, then the end-of-archive blocks.
    /// </summary>
    public static byte[] FormatScriptsTar(IEnumerable<ApkInstalledPackage> packages)
    {
        using var ms = new MemoryStream();
        foreach (var p in Sorted(packages))
        {
            var hex = Convert.ToHexStringLower(Convert.FromBase64String(p.Info.Checksum[2..]));
            foreach (var type in ApkPackageFile.ScriptTypes)
                if (p.Scripts.TryGetValue(type, out var body))
                    ApkTar.WriteFile(ms, $"{p.Info.Name}-{p.Info.Version}.X1{hex}.{type}", 0x1ed, p.Info.BuildTime, body);
        }
        ApkTar.WriteEnd(ms);
        return ms.ToArray();
    }

    /// <summary>etc/apk/world: the requested names, sorted, one per line.</summary>
    public static string FormatWorld(IEnumerable<string> world) =>
        string.Concat(world.Distinct().Order(StringComparer.Ordinal).Select(w => w + "\n"));
}
