using System.Security.Cryptography;
using System.Text;
using Bootstrapper.Core.Debian.Resolution;
using Bootstrapper.Engine.Os.Files;

namespace Bootstrapper.Engine.Families.Debian.Repository;

/// <summary>
/// On-disk cache of repository indices under CACHE/debian/:
/// <c>releases/&lt;key&gt;/</c> holds the last verified InRelease (or Release + Release.gpg) per repository and suite,
/// so offline builds can re-verify it; <c>by-sha256/&lt;digest&gt;.&lt;ext&gt;</c> holds compressed Packages files by
/// content. A blob is only ever looked up by a digest taken from a freshly verified Release, so a stale blob is
/// simply never asked for. Every write is a rename of a complete file, so concurrent builds never see partial files.
/// </summary>
internal sealed class RepositoryIndexCache
{
    public RepositoryIndexCache(string cacheDirectory)
    {
        Root = Path.Combine(Path.GetFullPath(cacheDirectory), "debian");
    }

    /// <summary>CACHE/debian.</summary>
    public string Root { get; }

    /// <summary>Folder for one repository's signed release files; readable name plus a digest against collisions.</summary>
    public string ReleaseDirectory(string baseUrl, string suite)
    {
        var id = $"{baseUrl.TrimEnd('/')}/dists/{suite}";
        var readable = new StringBuilder();
        foreach (var c in id.Replace("://", "_"))
            readable.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_');
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)))[..12];
        var name = readable.Length > 80 ? readable.ToString(0, 80) : readable.ToString();
        return Path.Combine(Root, "releases", $"{name}-{digest}");
    }

    /// <summary>Path of a compressed index by its SHA-256 (lower-case hex) and extension ("xz", "gz", "" for none).</summary>
    public string BlobPath(string sha256, string extension) =>
        Path.Combine(Root, "by-sha256", extension.Length == 0 ? sha256 : $"{sha256}.{extension}");

    /// <summary>The cached file if it is there and still has the expected size and digest; otherwise null (and a corrupt one is removed).</summary>
    public string? TryGetBlob(string sha256, string extension, long size)
    {
        var path = BlobPath(sha256, extension);
        var info = new FileInfo(path);
        if (!info.Exists) return null;
        if (info.Length == size)
        {
            using var stream = File.OpenRead(path);
            if (Convert.ToHexStringLower(SHA256.HashData(stream)) == sha256) return path;
        }
        TryDelete(path);
        return null;
    }

    /// <summary>
    /// The cached file's bytes if it is there and still has the expected size and digest; otherwise null (and a
    /// corrupt one is removed). One read, hashed while it is read: hashing the file and then reading it again cost
    /// two passes over bookworm main's ~50 MB on every plan (~30 ms each).
    /// </summary>
    public byte[]? TryReadBlob(string sha256, string extension, long size)
    {
        var path = BlobPath(sha256, extension);
        try
        {
            if (new FileInfo(path) is not { Exists: true } info || info.Length != size || size > Array.MaxLength)
                return DeleteIfPresent(path);
            var bytes = GC.AllocateUninitializedArray<byte>((int)size);
            using var handle = File.OpenHandle(path);
            return ReadHashed(handle, bytes) == sha256 ? bytes : DeleteIfPresent(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Fills <paramref name="bytes"/> from the file on a helper thread while this one hashes what has arrived;
    /// returns the lower-case hex SHA-256, or "" when the file ended early.
    /// </summary>
    private static string ReadHashed(Microsoft.Win32.SafeHandles.SafeFileHandle handle, byte[] bytes)
    {
        using var reading = new BlockReader(handle, bytes);
        // A thread of its own, not a pool work item: the caller is a pool thread, and a reader queued behind a
        // starved pool would leave this one waiting. Small files are read here first (nothing to overlap).
        var reader = bytes.Length > BlockReader.Block
            ? new Thread(reading.Run) { IsBackground = true, Name = "index read-ahead" }
            : null;
        if (reader != null) reader.Start();
        else reading.Run();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        int hashed = 0;
        while (true)
        {
            reading.Arrived.Wait();
            int upTo = Volatile.Read(ref reading.Read);
            sha.AppendData(bytes, hashed, upTo - hashed);
            hashed = upTo;
            if (Volatile.Read(ref reading.Ended) && hashed == Volatile.Read(ref reading.Read)) break;
        }
        reader?.Join();
        if (reading.Failure != null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(reading.Failure);
        return hashed == bytes.Length ? Convert.ToHexStringLower(sha.GetHashAndReset()) : "";
    }

    /// <summary>Reads a file into a buffer block by block, publishing how much has arrived.</summary>
    private sealed class BlockReader(Microsoft.Win32.SafeHandles.SafeFileHandle handle, byte[] bytes) : IDisposable
    {
        public const int Block = 4 << 20;
        // Dropped when done, so that nothing the thread leaves behind keeps ~50 MB reachable.
        private byte[]? _bytes = bytes;
        public int Read;            // published after each block
        public bool Ended;          // the reader stopped (at the end, early, or failing)
        public Exception? Failure;
        public SemaphoreSlim Arrived { get; } = new(0);

        public void Run()
        {
            try
            {
                var buffer = _bytes!;
                while (Read < buffer.Length)
                {
                    int n = RandomAccess.Read(handle, buffer.AsSpan(Read, Math.Min(Block, buffer.Length - Read)), Read);
                    if (n == 0) break;
                    Volatile.Write(ref Read, Read + n);
                    Arrived.Release();
                }
            }
            catch (Exception e)
            {
                Failure = e;
            }
            _bytes = null;
            Volatile.Write(ref Ended, true);
            Arrived.Release();
        }

        public void Dispose() => Arrived.Dispose();
    }

    private static byte[]? DeleteIfPresent(string path)
    {
        if (File.Exists(path)) TryDelete(path);
        return null;
    }

    /// <summary>
    /// Deletes cached Packages files that no cached Release lists any more (suites publish new indices daily, so
    /// without this the cache only grows). Files younger than <paramref name="minimumAge"/> are kept: another
    /// build may have just fetched them for a Release it has not stored yet.
    /// </summary>
    /// <returns>How many files were deleted.</returns>
    public int PruneUnreferenced(TimeSpan minimumAge, DateTimeOffset now)
    {
        var blobs = Path.Combine(Root, "by-sha256");
        var releases = Path.Combine(Root, "releases");
        if (!Directory.Exists(blobs)) return 0;
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        if (Directory.Exists(releases))
        {
            foreach (var file in Directory.EnumerateFiles(releases, "*", SearchOption.AllDirectories))
            {
                var name = Path.GetFileName(file);
                if (name is not ("InRelease" or "Release")) continue;
                // Only deciding what to keep: an unverified read is harmless, at worst a file stays.
                foreach (var line in File.ReadLines(file))
                {
                    var word = line.TrimStart().Split(' ', 2)[0];
                    if (word.Length == 64 && word.All(char.IsAsciiHexDigitLower)) referenced.Add(word);
                }
            }
        }
        int deleted = 0;
        foreach (var file in Directory.EnumerateFiles(blobs))
        {
            var name = Path.GetFileName(file);
            if (name.StartsWith('.')) continue; // a download in progress
            var digest = name.Split('.')[0];
            if (referenced.Contains(digest)) continue;
            if (now - File.GetLastWriteTimeUtc(file) < minimumAge) continue;
            TryDelete(file);
            deleted++;
        }
        return deleted;
    }

    /// <summary>
    /// Names the snapshot of a package universe (<see cref="PackageUniverse.ToSnapshot"/>) over indices with these
    /// content keys (<see cref="DebianComponentIndex.ContentKey"/>) and pins, in this order, for this architecture. The reader's own build is part of the name: a
    /// snapshot is the reader's output, and another version of the reader may read the same indices differently.
    /// </summary>
    public static string UniverseKey(string architecture, IEnumerable<(string ContentKey, int Pin)> indices)
    {
        var text = new StringBuilder("universe\n")
            .Append(typeof(PackageUniverse).Module.ModuleVersionId).Append('\n')
            .Append(architecture).Append('\n');
        foreach (var (content, pin) in indices) text.Append(content).Append(' ').Append(pin).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>CACHE/debian/universe/KEY.</summary>
    public string UniversePath(string key) => Path.Combine(Root, "universe", key);

    /// <summary>The snapshot stored under <paramref name="key"/>, or null; marks it as used (see <see cref="WriteUniverse"/>).</summary>
    public byte[]? TryReadUniverse(string key)
    {
        var path = UniversePath(key);
        try
        {
            if (!File.Exists(path)) return null;
            var snapshot = File.ReadAllBytes(path);
            try
            {
                File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A read-only cache: the snapshot is still good, it just cannot be marked as used.
            }
            return snapshot;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // a snapshot only saves time: without it the indices are read again
        }
    }

    /// <summary>
    /// Stores a snapshot, and removes the snapshots nobody used for <paramref name="maximumIdle"/> (each suite
    /// update makes a new one; the ones still in use are marked by <see cref="TryReadUniverse"/>).
    /// </summary>
    public void WriteUniverse(string key, byte[] snapshot, TimeSpan maximumIdle)
    {
        var path = UniversePath(key);
        WriteAtomically(path, snapshot);
        foreach (var file in Directory.EnumerateFiles(Path.GetDirectoryName(path)!))
        {
            var name = Path.GetFileName(file);
            if (name == key || name.StartsWith('.')) continue; // this one, or another build's write in progress
            if (DateTime.UtcNow - File.GetLastWriteTimeUtc(file) > maximumIdle) TryDelete(file);
        }
    }

    /// <summary>Writes the file atomically (see <see cref="AtomicFile"/>).</summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> data) => AtomicFile.Write(path, data);

    internal static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
