using Bootstrapper.Core.Debian.Control;
using Bootstrapper.Engine.Families.Debian.Install;

namespace Bootstrapper.EndToEnd.Install;

/// <summary>
/// The bookworm minbase .debs for the install tests, fetched with the host's own tools until the product's
/// fetcher is wired in: names from <c>debootstrap --print-debs --variant=minbase</c> (88 packages, the set the
/// official images use), files from <c>apt-get download NAME/SUITE</c> (apt knows the host's mirror), both from
/// the host's apt configuration. Cached under /var/tmp so repeated runs do not download ~31 MB again.
/// </summary>
internal static class MinbaseDebs
{
    private static readonly Lock Gate = new();

    public static string CacheDir(string suite) => $"/var/tmp/bootstrapper-e2e/{suite}-minbase-debs";

    public static IReadOnlyList<InstallPackage> Get(string suite = "bookworm")
    {
        lock (Gate)
        {
            var dir = CacheDir(suite);
            var listFile = Path.Combine(dir, "packages.txt");
            if (!File.Exists(listFile))
                Download(suite, dir, listFile);
            return Describe(Directory.GetFiles(dir, "*.deb").Order(StringComparer.Ordinal).ToList());
        }
    }

    private static void Download(string suite, string dir, string listFile)
    {
        var mirror = HostTools.HostDebianMirror(suite);
        var scratch = Directory.CreateTempSubdirectory("print-debs-");
        Directory.Delete(scratch.FullName);     // debootstrap wants to create (and then deletes) the target itself
        var names = HostTools.RunOk("/usr/sbin/debootstrap", "--print-debs", "--variant=minbase", suite, scratch.FullName, mirror)
            .Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        if (names.Length < 50) throw new InvalidOperationException($"debootstrap --print-debs gave only {names.Length} names");
        if (Directory.Exists(dir)) Directory.Delete(dir, true);
        Directory.CreateDirectory(dir);
        var r = HostTools.Run("/usr/bin/apt-get", ["download", .. names.Select(n => $"{n}/{suite}")], workDir: dir);
        if (r.ExitCode != 0) throw new InvalidOperationException($"apt-get download failed: {r.StdErr}");
        var got = Directory.GetFiles(dir, "*.deb").Length;
        if (got != names.Length) throw new InvalidOperationException($"apt-get download gave {got} of {names.Length} .debs");
        File.WriteAllLines(listFile, names);
    }

    /// <summary>
    /// Reads each .deb's control fields and marks the essential set: Essential:yes packages plus the closure of
    /// their Pre-Depends and Depends within the set (first alternative that the set satisfies, as apt picks it).
    /// </summary>
    public static IReadOnlyList<InstallPackage> Describe(IReadOnlyList<string> debs)
    {
        var ctl = new Dictionary<string, (Deb822Paragraph P, string Path)>(StringComparer.Ordinal);
        foreach (var deb in debs)
        {
            var text = HostTools.RunOk("/usr/bin/dpkg-deb", "-f", deb, "Package", "Version", "Architecture", "Essential",
                "Priority", "Pre-Depends", "Depends", "Provides");
            // dpkg-deb -f with several fields prints "Field: value" lines: one deb822 paragraph.
            var para = Deb822.Parse(text, sourceName: deb)[0];
            ctl[Field(para, "Package")] = (para, deb);
        }
        var providers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, (p, _)) in ctl)
            foreach (var prov in Field(p, "Provides").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                providers.TryAdd(BareName(prov), name);

        var essential = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>(ctl.Where(kv => Field(kv.Value.P, "Essential") == "yes").Select(kv => kv.Key));
        while (queue.TryDequeue(out var name))
        {
            if (!essential.Add(name)) continue;
            var p = ctl[name].P;
            var deps = (Field(p, "Pre-Depends") + "," + Field(p, "Depends")).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var group in deps)
            {
                foreach (var alt in group.Split('|', StringSplitOptions.TrimEntries))
                {
                    var n = BareName(alt);
                    var hit = ctl.ContainsKey(n) ? n : providers.GetValueOrDefault(n);
                    if (hit is null) continue;
                    queue.Enqueue(hit);
                    break;
                }
            }
        }
        return ctl.Values.Select(v => new InstallPackage(Field(v.P, "Package"), Field(v.P, "Version"), Field(v.P, "Architecture"), v.Path,
                essential.Contains(Field(v.P, "Package"))))
            .OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
    }

    private static string Field(Deb822Paragraph p, string name) => p[name] ?? "";

    private static string BareName(string rel)
    {
        var s = rel.Trim();
        var cut = s.IndexOfAny([' ', '(', ':']);
        return cut < 0 ? s : s[..cut];
    }
}
