using System.Formats.Tar;
using System.Security.Cryptography;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Images.Diff;
using Bootstrapper.Core.Images.Manifest;
using Bootstrapper.Engine.Compression;

namespace Bootstrapper.Engine.Output;

/// <summary>
/// Reads any image tar (ours or another tool's; plain, .gz, .xz, .zst, .bz2 by name) into the entries `diff`
/// compares, hashing each regular file's content as it streams past. Nothing is extracted.
/// </summary>
internal static class ImageTarEntries
{
    /// <exception cref="RecipeException">The file is missing or is not a readable tar.</exception>
    public static (List<TarEntryInfo> Entries, ImageFile Image) Read(string path)
    {
        if (!File.Exists(path)) throw new RecipeException($"{path}: no such image");
        var entries = new List<TarEntryInfo>();
        try
        {
            using (var file = File.OpenRead(path))
            using (var stream = Decompression.Open(file, Decompression.KindFromName(path)))
            using (var reader = new TarReader(stream))
            {
                while (reader.GetNextEntry() is { } entry)
                    if (Info(entry) is { } info) entries.Add(info);
            }
            using var whole = File.OpenRead(path);
            return (entries, new ImageFile(Path.GetFileName(path), whole.Length, Convert.ToHexStringLower(SHA256.HashData(whole))));
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or IOException)
        {
            throw new RecipeException($"{path}: not a readable tar ({e.Message}); pass an image tar (.tar, .tar.gz, .tar.xz, .tar.zst)", e);
        }
    }

    private static TarEntryInfo? Info(TarEntry entry)
    {
        var type = entry.EntryType switch
        {
            TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile => "file",
            TarEntryType.Directory => "dir",
            TarEntryType.SymbolicLink => "symlink",
            TarEntryType.HardLink => "hardlink",
            TarEntryType.CharacterDevice => "char",
            TarEntryType.BlockDevice => "block",
            TarEntryType.Fifo => "fifo",
            _ => null, // metadata entries (pax headers, long names) are folded into the entry they describe
        };
        if (type is null) return null;
        var path = entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name;
        path = path.TrimEnd('/');
        if (path.Length == 0) path = ".";
        var content = type switch
        {
            "file" => entry.DataStream is { } data ? Convert.ToHexStringLower(SHA256.HashData(data)) : Convert.ToHexStringLower(SHA256.HashData([])),
            "symlink" or "hardlink" => "-> " + entry.LinkName,
            "char" or "block" when entry is PosixTarEntry posix => $"{posix.DeviceMajor},{posix.DeviceMinor}",
            _ => "",
        };
        return new TarEntryInfo(path, type, (int)entry.Mode & 0xFFF, $"{entry.Uid}:{entry.Gid}",
            type == "file" ? entry.Length : 0, content);
    }
}
