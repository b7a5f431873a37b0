using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace Bootstrapper.EndToEnd.Install;

/// <summary>
/// Compares our root's file list with the recorded <c>debootstrap --variant=minbase</c> one
/// (refresh-debootstrap-reference.sh). Every expected difference is listed here with its reason; anything else
/// fails the test.
/// </summary>
public static class FileListComparison
{
    /// <summary>Only in debootstrap's root, and why we do not produce it.</summary>
    public static readonly IReadOnlyList<(Regex Path, string Reason)> OnlyInDebootstrap =
    [
        (Rx("^etc/apt/sources\\.list$"), "we write deb822 etc/apt/sources.list.d/debian.sources, as the official images do"),
        (Rx("^etc/hostname$"), "debootstrap copies the build host's hostname; we write one only when asked"),
        (Rx("^etc/resolv\\.conf$"), "debootstrap copies the build host's resolver config; the container runtime provides one"),
        (Rx("^run/mount$"), "runtime state of mount(8), which debootstrap runs inside the target to mount /proc"),
        (Rx("^var/cache/debconf/[^/]+-old$"), "debconf's backup of its previous database: build-time state"),
        (Rx("^var/lib/dpkg/[^/]+-old$"), "dpkg's backup of its previous database: build-time state"),
        (Rx("^var/cache/ldconfig/aux-cache$"), "ldconfig's stat cache: records build-time inode data, never read by ld.so"),
        (Rx("^var/log/(bootstrap|dpkg|alternatives)\\.log$"), "logs of the build (debootstrap's names the mirror)"),
    ];

    /// <summary>Only in ours, and why.</summary>
    public static readonly IReadOnlyList<(Regex Path, string Reason)> OnlyInOurs =
    [
        (Rx("^etc/apt/sources\\.list\\.d/debian\\.sources$"), "deb822 apt sources naming the image's mirror (official image layout)"),
    ];

    private static Regex Rx(string p) => new(p, RegexOptions.CultureInvariant);

    public static string ReferencePath([CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "debootstrap-minbase-bookworm.files");

    /// <summary>"TYPE MODE UID:GID PATH" lines -> path -> "TYPE MODE UID:GID".</summary>
    public static Dictionary<string, string> Parse(IEnumerable<string> lines) =>
        lines.Where(l => l.Length > 0).Select(l => l.Split(' ', 4)).ToDictionary(f => f[3], f => $"{f[0]} {f[1]} {f[2]}", StringComparer.Ordinal);

    /// <summary>Unexplained differences, one line each; empty when the roots match up to the listed reasons.</summary>
    public static List<string> Unexplained(IReadOnlyDictionary<string, string> reference, IReadOnlyDictionary<string, string> ours, Action<string>? explained = null)
    {
        var problems = new List<string>();
        foreach (var (path, meta) in reference.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (ours.TryGetValue(path, out var m))
            {
                if (m != meta) problems.Add($"differs: {path}: debootstrap {meta}, ours {m}");
                continue;
            }
            var why = OnlyInDebootstrap.FirstOrDefault(e => e.Path.IsMatch(path)).Reason;
            if (why is null) problems.Add($"missing: {path} ({meta})");
            else explained?.Invoke($"only in debootstrap: {path}: {why}");
        }
        foreach (var (path, meta) in ours.Where(kv => !reference.ContainsKey(kv.Key)).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var why = OnlyInOurs.FirstOrDefault(e => e.Path.IsMatch(path)).Reason;
            if (why is null) problems.Add($"extra: {path} ({meta})");
            else explained?.Invoke($"only in ours: {path}: {why}");
        }
        return problems;
    }
}
