using System.IO.Compression;
using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Archives;
using Bootstrapper.Engine.Compression;
using Bootstrapper.Engine.Os.Native;
using Bootstrapper.Engine.Streams;
using ZstdSharp.Unsafe;

namespace Bootstrapper.Engine.Output;

/// <summary>
/// Packs a root directory into a reproducible image tar for `podman import`: entries sorted by name (UTF-8 byte
/// order within each directory, parents first, like `tar --sort=name`), numeric owners only, mtimes clamped to
/// SOURCE_DATE_EPOCH, no atime/ctime, hard links kept (by device and inode), devices, fifos, setuid bits and
/// extended attributes (binary values intact). The file is written under a temporary name next to the output and
/// renamed only when complete; on failure or cancellation nothing is left behind.
/// </summary>
internal static class ImagePacker
{
    private const int CopyBufferSize = 1 << 20;

    /// <summary>The compression an output name asks for: .tar, .tar.gz/.tgz, .tar.zst, .tar.xz.</summary>
    public static CompressionKind KindFromOutputName(string path)
    {
        string name = Path.GetFileName(path);
        if (name.EndsWith(".tar", StringComparison.Ordinal)) return CompressionKind.None;
        if (name.EndsWith(".tar.gz", StringComparison.Ordinal) || name.EndsWith(".tgz", StringComparison.Ordinal))
            return CompressionKind.Gzip;
        if (name.EndsWith(".tar.zst", StringComparison.Ordinal)) return CompressionKind.Zstd;
        if (name.EndsWith(".tar.xz", StringComparison.Ordinal)) return CompressionKind.Xz;
        throw new RecipeException(
            $"output '{path}': unknown image format; name it .tar, .tar.gz, .tar.zst or .tar.xz (a tar for docker import), .oci.tar or .oci (an OCI image layout)");
    }

    /// <summary>
    /// The compression of the image at <paramref name="path"/> given the recipe's <c>output.compression</c>
    /// ("auto", "none", "gzip", "xz", "zstd"): "auto" goes by the name; any other value must agree with the name, so
    /// that a file's name never lies about its content (a setting that contradicts it is refused before the build).
    /// </summary>
    public static CompressionKind KindFor(string path, string compression)
    {
        var byName = KindFromOutputName(path);
        if (compression == "auto") return byName;
        CompressionKind wanted = compression switch
        {
            "none" => CompressionKind.None,
            "gzip" => CompressionKind.Gzip,
            "xz" => CompressionKind.Xz,
            "zstd" => CompressionKind.Zstd,
            _ => throw new RecipeException($"output.compression = \"{compression}\": use auto, none, gzip, xz or zstd"),
        };
        if (wanted == byName) return wanted;
        throw new RecipeException(
            $"output.compression = \"{compression}\" contradicts the output name '{Path.GetFileName(path)}' " +
            $"({SettingOf(byName)}); name the output {SuffixOf(wanted)}, or set compression = \"{SettingOf(byName)}\" " +
            "(or \"auto\": by the name)");
    }

    private static string SettingOf(CompressionKind kind) => kind switch
    {
        CompressionKind.Gzip => "gzip",
        CompressionKind.Xz => "xz",
        CompressionKind.Zstd => "zstd",
        _ => "none",
    };

    private static string SuffixOf(CompressionKind kind) => kind switch
    {
        CompressionKind.Gzip => ".tar.gz",
        CompressionKind.Xz => ".tar.xz",
        CompressionKind.Zstd => ".tar.zst",
        _ => ".tar",
    };

    public static PackResult Pack(string rootDir, string outputPath, PackOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new PackOptions();
        string root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(rootDir));
        if (!LibC.TryLstat(root, out var rootStatus) || !rootStatus.IsDirectory)
            throw new InstallException($"cannot pack '{rootDir}': it is not a directory");
        var kind = KindFor(outputPath, options.Compression);
        string output = Path.GetFullPath(outputPath);
        string temp = Path.Combine(Path.GetDirectoryName(output)!, $".{Path.GetFileName(output)}.{Environment.ProcessId}.tmp");
        bool done = false;
        try
        {
            int entries;
            string sha256, tarSha256;
            long bytes;
            using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            using (var hashing = new HashingStream(file))
            {
                using (var compressed = OpenCompressor(hashing, kind, options))
                using (var tarHashing = kind == CompressionKind.None ? null : new HashingStream(compressed))
                // Walking and reading on this thread; hashing, compressing and writing on another.
                using (var counted = new CountingWriteStream(tarHashing ?? compressed, options.Progress))
                using (var buffered = new BufferedStream(new OffloadingWriteStream(counted), 1 << 20))
                {
                    entries = WriteTar(root, buffered, options, cancellationToken);
                    buffered.Flush();
                    tarSha256 = (tarHashing ?? hashing).HexDigest();
                }
                sha256 = hashing.HexDigest();
                bytes = hashing.BytesWritten;
            }
            cancellationToken.ThrowIfCancellationRequested();
            File.Move(temp, output, overwrite: true);
            done = true;
            return new PackResult(output, sha256, bytes, entries, tarSha256);
        }
        catch (IOException e)
        {
            throw new InstallException($"cannot pack '{root}' into '{output}': {e.Message}", e);
        }
        finally
        {
            if (!done) File.Delete(temp);
        }
    }

    /// <summary>
    /// About the size of the tar of <paramref name="rootDir"/> (file sizes plus a 512-byte header each), for the
    /// progress bar's end: one walk of the tree, cheap next to reading and compressing every byte of it.
    /// </summary>
    public static long EstimateTarBytes(string rootDir)
    {
        long total = 0;
        // Symbolic links are skipped: the walk would follow a link to a directory (merged /usr's bin -> usr/bin),
        // counting trees twice or looping; each is one header in the tar.
        var walk = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
        foreach (var entry in new DirectoryInfo(rootDir).EnumerateFileSystemInfos("*", walk))
            total += 512 + (entry is FileInfo file ? (file.Length + 511) / 512 * 512 : 0);
        return total;
    }

    internal static Stream OpenCompressor(Stream output, CompressionKind kind, PackOptions options)
    {
        switch (kind)
        {
            case CompressionKind.None:
                return new NonClosingStream(output);
            case CompressionKind.Gzip:
                // GZipStream writes no file name and a zero mtime, so gzip output is reproducible too.
                return options.Level is { } level
                    ? new GZipStream(output, new ZLibCompressionOptions { CompressionLevel = Math.Clamp(level, 0, 9) }, leaveOpen: true)
                    : new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true);
            case CompressionKind.Zstd:
                var zstd = new ZstdSharp.CompressionStream(output, options.Level ?? 3, leaveOpen: true);
                // Always in multi-threaded mode (even with one worker): its output depends on the job size, not on
                // the number of workers, while single-threaded mode would produce different bytes.
                zstd.SetParameter(ZSTD_cParameter.ZSTD_c_nbWorkers, Math.Max(1, options.Threads));
                return zstd;
            case CompressionKind.Xz:
                return new XzEncoderStream(output, Math.Max(1, options.Threads), leaveOpen: true, preset: (uint)(options.Level ?? 6));
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an image compression");
        }
    }

    private static int WriteTar(string root, Stream output, PackOptions options, CancellationToken cancellationToken)
    {
        var tar = new GnuTarWriter(output);
        var firstNameOfInode = new Dictionary<(ulong Device, ulong Inode), string>();
        byte[] buffer = new byte[CopyBufferSize];
        int count = 0;
        foreach (var (name, path, status) in SortedTree.Walk(root))
        {
            cancellationToken.ThrowIfCancellationRequested();
            long mtime = options.SourceDateEpoch is { } epoch ? Math.Min(status.MtimeSeconds, epoch) : status.MtimeSeconds;
            uint mode = status.Permissions;
            char type;
            string link = "";
            long size = 0;
            uint major = status.RdevMajor, minor = status.RdevMinor;
            if (status.Type == LibC.S_IFREG && status.Size == 0 && options.CharDeviceStandIns.TryGetValue(name, out var device))
            {
                type = '3';
                (major, minor) = device;
            }
            else switch (status.Type)
                {
                    case LibC.S_IFDIR: type = '5'; break;
                    case LibC.S_IFLNK: type = '2'; link = new FileInfo(path).LinkTarget ?? ""; break;
                    case LibC.S_IFCHR: type = '3'; break;
                    case LibC.S_IFBLK: type = '4'; break;
                    case LibC.S_IFIFO: type = '6'; break;
                    case LibC.S_IFREG: type = '0'; size = status.Size; break;
                    default: continue; // sockets cannot be archived (GNU tar skips them too) and belong to a running system
                }
            if (type != '5' && status.Nlink > 1)
            {
                if (firstNameOfInode.TryGetValue((status.Device, status.Inode), out var first))
                {
                    // Later names of an inode are links to the first one in archive order, without data.
                    tar.WriteHeader(new TarItem(name, '1', mode, status.Uid, status.Gid, 0, mtime, first));
                    count++;
                    continue;
                }
                firstNameOfInode[(status.Device, status.Inode)] = name;
            }
            var xattrs = LibC.ListXattrs(path);
            tar.WriteHeader(new TarItem(name, type, mode, status.Uid, status.Gid, size, mtime, link,
                major, minor, xattrs.Count > 0 ? xattrs : null));
            if (type == '0') CopyFile(tar, path, size, buffer, cancellationToken);
            count++;
        }
        tar.Finish();
        return count;
    }

    private static void CopyFile(GnuTarWriter tar, string path, long size, byte[] buffer, CancellationToken cancellationToken)
    {
        using var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
        long left = size;
        while (left > 0)
        {
            int n = input.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (n == 0) throw new IOException($"'{path}' shrank while it was being packed");
            cancellationToken.ThrowIfCancellationRequested(); // a large file must not delay an interrupt
            tar.WriteData(buffer.AsSpan(0, n));
            left -= n;
        }
        tar.PadData();
    }
}
