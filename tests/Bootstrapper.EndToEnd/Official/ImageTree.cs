using System.Formats.Tar;
using System.Security.Cryptography;

namespace Bootstrapper.EndToEnd.Official;

/// <summary>
/// What a packed image holds, path by path, in the terms the official-image comparison uses: type, mode, owner,
/// link target, SHA-256 of the contents. Timestamps and the tar's own spelling ("./usr" or "usr", directory
/// entries with or without a trailing slash, hard-link targets named either way) are not part of the tree.
/// </summary>
internal static class ImageTree
{
    public sealed record Entry(TarEntryType Type, int Mode, int Uid, int Gid, string LinkTarget, string? Sha256, string? Device)
    {
        public override string ToString() =>
            $"{Type} {Convert.ToString(Mode, 8)} {Uid}:{Gid}" + (LinkTarget.Length > 0 ? $" -> {LinkTarget}" : "") +
            (Sha256 is null ? "" : $" sha256 {Sha256[..12]}") + (Device is null ? "" : $" dev {Device}");
    }

    public static Dictionary<string, Entry> Read(string tarPath)
    {
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        using var stream = File.OpenRead(tarPath);
        using var reader = new TarReader(stream);
        while (reader.GetNextEntry() is { } e)
        {
            var name = Normalize(e.Name);
            if (name.Length == 0) continue;   // the root itself
            var type = e.EntryType switch
            {
                TarEntryType.V7RegularFile or TarEntryType.ContiguousFile => TarEntryType.RegularFile,
                var t => t,
            };
            string? sha = null;
            if (type == TarEntryType.RegularFile)
                sha = e.DataStream is null ? Convert.ToHexStringLower(SHA256.HashData([])) : Convert.ToHexStringLower(SHA256.HashData(e.DataStream));
            var link = type == TarEntryType.HardLink ? Normalize(e.LinkName) : type == TarEntryType.SymbolicLink ? e.LinkName : "";
            var device = e is PosixTarEntry p && type is TarEntryType.CharacterDevice or TarEntryType.BlockDevice
                ? $"{p.DeviceMajor},{p.DeviceMinor}" : null;
            entries[name] = new Entry(type, (int)e.Mode, e.Uid, e.Gid, link, sha, device);
        }
        return entries;
    }

    /// <summary>One line per path that is only in one tree or differs, sorted by path.</summary>
    public static IReadOnlyList<Difference> Compare(IReadOnlyDictionary<string, Entry> ours, IReadOnlyDictionary<string, Entry> theirs)
    {
        var result = new List<Difference>();
        foreach (var path in ours.Keys.Union(theirs.Keys).Order(StringComparer.Ordinal))
        {
            ours.TryGetValue(path, out var a);
            theirs.TryGetValue(path, out var b);
            if (a is null) result.Add(new Difference(path, DifferenceKind.OnlyOfficial, $"official: {b}"));
            else if (b is null) result.Add(new Difference(path, DifferenceKind.OnlyOurs, $"ours: {a}"));
            else if (a != b) result.Add(new Difference(path, a.Sha256 != b.Sha256 && a with { Sha256 = b.Sha256 } == b
                ? DifferenceKind.Contents : DifferenceKind.Metadata, $"ours: {a}; official: {b}"));
        }
        return result;
    }

    private static string Normalize(string name)
    {
        if (name.StartsWith("./", StringComparison.Ordinal)) name = name[2..];
        else if (name == ".") name = "";
        return name.TrimEnd('/');
    }
}

internal enum DifferenceKind { OnlyOurs, OnlyOfficial, Contents, Metadata }

internal sealed record Difference(string Path, DifferenceKind Kind, string Detail)
{
    public override string ToString() => $"{Kind} {Path} ({Detail})";
}
