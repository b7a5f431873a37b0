using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Archives;
using Bootstrapper.Engine.Streams;

namespace Bootstrapper.Engine.Oci;

/// <summary>
/// An image layout as one tar (what `skopeo inspect oci-archive:` and `podman load` read): the layout's files in
/// name order, owned by root, mtimes at SOURCE_DATE_EPOCH, so the archive's bytes depend only on its content.
/// </summary>
internal static class OciArchive
{
    public static (string Sha256, long Bytes) Write(string layout, string archive, long? epoch)
    {
        using var file = new FileStream(archive, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        using var hashing = new HashingStream(file);
        var tar = new GnuTarWriter(hashing);
        long mtime = epoch ?? 0;
        byte[] buffer = new byte[1 << 20];
        foreach (var (name, path, status) in SortedTree.Walk(layout))
        {
            if (name == "./") continue;
            var entry = name[2..]; // skopeo and podman expect "index.json", not "./index.json"
            if (status.IsDirectory)
            {
                tar.WriteHeader(new TarItem(entry, '5', 0b111_101_101, 0, 0, 0, mtime));
                continue;
            }
            tar.WriteHeader(new TarItem(entry, '0', 0b110_100_100, 0, 0, status.Size, mtime));
            using var input = File.OpenRead(path);
            int n;
            while ((n = input.Read(buffer)) > 0) tar.WriteData(buffer.AsSpan(0, n));
            tar.PadData();
        }
        tar.Finish();
        hashing.Flush();
        return (hashing.HexDigest(), hashing.BytesWritten);
    }

    /// <summary>
    /// Unpacks an archive into <paramref name="directory"/>; only a layout's own names are accepted (oci-layout,
    /// index.json, blobs/ALGORITHM/HEX), so no entry can land outside it.
    /// </summary>
    public static void Extract(string archive, string directory)
    {
        using var reader = new System.Formats.Tar.TarReader(File.OpenRead(archive));
        while (reader.GetNextEntry() is { } entry)
        {
            var name = entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name;
            name = name.TrimEnd('/');
            if (name is "" or "blobs" or "blobs/sha256") continue;
            var allowed = name is OciLayout.LayoutFile or OciLayout.IndexFile ||
                          (name.StartsWith("blobs/sha256/", StringComparison.Ordinal) &&
                           name["blobs/sha256/".Length..].All(char.IsAsciiHexDigitLower) && name.Length == "blobs/sha256/".Length + 64);
            if (!allowed || entry.EntryType is not (System.Formats.Tar.TarEntryType.RegularFile or System.Formats.Tar.TarEntryType.V7RegularFile))
                throw new VerificationException($"{archive}: '{entry.Name}' does not belong in an OCI image layout");
            var path = Path.Combine(directory, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            entry.ExtractToFile(path, overwrite: false);
        }
    }
}
