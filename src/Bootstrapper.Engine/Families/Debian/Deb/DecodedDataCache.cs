using System.Security.Cryptography;
using Bootstrapper.Engine.Os.Files;
using Bootstrapper.Engine.Streams;

namespace Bootstrapper.Engine.Families.Debian.Deb;

/// <summary>
/// Beside a cached .deb, its data member decoded once and kept zstd-compressed (NAME.deb.data.tar.zst, with an
/// HMAC-SHA-256 binding that file to the .deb's SHA-256 in NAME.deb.data.tar.zst.hmac), so that later builds extract
/// it without xz.
/// </summary>
/// <remarks>
/// Why: xz decoding is most of the extraction's CPU (about 1 s of the 1.7 s the bookworm essential set takes on
/// this machine), and zstd decodes roughly ten times faster. The first build makes the copies from the decoding it
/// does anyway: stage 1's extraction and the repack of dpkg's uncompressed .debs tee the decoded bytes into the copy
/// (<see cref="StartRecording"/>), so no .deb is decoded twice; <see cref="Record"/> makes one on its own.
/// Integrity: a .deb is checked against the signed index every time it is used, but its copy cannot be: so a copy
/// is made only from a .deb just checked, and used only when its HMAC, keyed with a secret kept outside the cache
/// (<see cref="KeyPath"/>), matches. The MAC covers the SHA-256 the signed index gives for the .deb together with
/// the copy's own digest (<see cref="Mac"/>): a MAC over the copy alone would let a genuine copy of one package be
/// moved beside another's .deb (or an older copy be put back beside a newer .deb), and the image would then miss
/// the package's files while the manifest lists it. Whoever can write to the cache (a shared folder, a CI cache
/// restored from another job) can delete copies but not forge, swap or replay one: a copy that does not match is
/// deleted and the .deb is read. Without the .deb's SHA-256 from the index, no copy is used or made.
/// Both files are written under temporary names and renamed, so builds sharing a cache never see half of one.
/// Where no key can be kept, or the .deb's folder is not writable (a read-only bundle), no copies are used.
/// </remarks>
internal static class DecodedDataCache
{
    public const string Suffix = ".data.tar.zst";
    public const string MacSuffix = ".hmac";
    private const int Level = 1;
    private static readonly Lazy<byte[]?> Key = new(LoadOrCreateKey);

    /// <summary>
    /// The per-user secret: $BOOTSTRAP_STATE_DIR, else $XDG_STATE_HOME/bootstrap, else ~/.local/state/bootstrap,
    /// holding decoded-copies.key (32 random bytes, mode 0600, in a 0700 folder).
    /// </summary>
    public static string? KeyPath
    {
        get
        {
            string? dir = Environment.GetEnvironmentVariable("BOOTSTRAP_STATE_DIR");
            if (string.IsNullOrEmpty(dir) && Environment.GetEnvironmentVariable("XDG_STATE_HOME") is { Length: > 0 } xdg)
                dir = Path.Combine(xdg, "bootstrap");
            if (string.IsNullOrEmpty(dir) && Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) is { Length: > 0 } home)
                dir = Path.Combine(home, ".local", "state", "bootstrap");
            return string.IsNullOrEmpty(dir) ? null : Path.Combine(dir, "decoded-copies.key");
        }
    }

    private static byte[]? LoadOrCreateKey()
    {
        if (KeyPath is not { } path) return null;
        try
        {
            if (File.Exists(path))
            {
                var existing = File.ReadAllBytes(path);
                return existing.Length == 32 ? existing : null;
            }
            var dir = Path.GetDirectoryName(path)!;
            Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var temp = path + $".{Environment.ProcessId}.{Guid.NewGuid():N}.part";
            using (var f = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
                f.Write(RandomNumberGenerator.GetBytes(32));
            // Two processes may race here: the first rename wins and both then read the winner's key.
            try { File.Move(temp, path, overwrite: false); }
            catch (IOException) { File.Delete(temp); }
            var key = File.ReadAllBytes(path);
            return key.Length == 32 ? key : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Domain separation: these MACs are of nothing else the key might ever sign (the first format, a MAC of
    /// the copy's bytes alone, never matches one of these, so such copies are simply made again).</summary>
    private static readonly byte[] MacDomain = "bootstrap decoded-copy v2\0"u8.ToArray();

    /// <summary>HMAC(key, domain || the .deb's SHA-256 as 64 hex digits || SHA-256 of the copy's bytes).</summary>
    private static string Mac(byte[] key, string debSha256, Stream copy)
    {
        var copyDigest = SHA256.HashData(copy);
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(MacDomain);
        hmac.AppendData(System.Text.Encoding.ASCII.GetBytes(debSha256));
        hmac.AppendData(copyDigest);
        return Convert.ToHexStringLower(hmac.GetHashAndReset());
    }

    /// <summary>The index's SHA-256 of a .deb in the one spelling the MAC covers, or null when it is not one.</summary>
    private static string? Normalized(string? debSha256) =>
        debSha256 is { Length: 64 } && debSha256.All(char.IsAsciiHexDigit) ? debSha256.ToLowerInvariant() : null;

    /// <summary>
    /// The decoded data tar of <paramref name="debPath"/> from its verified copy, or null when there is none (or no
    /// <paramref name="debSha256"/>, the .deb's SHA-256 from the signed index, to check it against).
    /// </summary>
    public static Stream? TryOpen(string debPath, string? debSha256)
    {
        string copy = debPath + Suffix, mac = copy + MacSuffix;
        if (Normalized(debSha256) is not { } debHash || !File.Exists(copy) || !File.Exists(mac) || Key.Value is not { } key)
            return null;
        FileStream? file = null;
        try
        {
            // Check, then decode, through one handle: a copy renamed into place meanwhile cannot swap the bytes, and
            // nothing is held in memory (the copies are megabytes each; whole-file buffers would pile up on the
            // large-object heap).
            file = new FileStream(copy, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            string expected = File.ReadAllText(mac).Trim();
            if (!CryptographicOperations.FixedTimeEquals(
                    System.Text.Encoding.ASCII.GetBytes(Mac(key, debHash, file)), System.Text.Encoding.ASCII.GetBytes(expected)))
            {
                file.Dispose();
                Discard(debPath);
                return null;
            }
            file.Position = 0;
            return new ZstdSharp.DecompressionStream(file, leaveOpen: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            file?.Dispose();
            return null;
        }
    }

    /// <summary>
    /// Starts keeping a copy of what is read through <see cref="Recorder.Wrap"/>, bound to <paramref name="debSha256"/>
    /// (the .deb's SHA-256 from the signed index, just checked); null where nothing can be written or there is no hash.
    /// </summary>
    public static Recorder? StartRecording(string debPath, string? debSha256)
    {
        if (Key.Value is null || Normalized(debSha256) is not { } debHash) return null;
        var dir = Path.GetDirectoryName(Path.GetFullPath(debPath))!;
        var temp = Path.Combine(dir, $".{Path.GetFileName(debPath)}{Suffix}.{Environment.ProcessId}.{Guid.NewGuid():N}.part");
        try
        {
            return new Recorder(debPath, debHash, temp, new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Makes the copy of <paramref name="debPath"/> (already verified against <paramref name="debSha256"/>) unless
    /// there is one; stops, keeping nothing, when <paramref name="ct"/> is cancelled. A copy already there was checked
    /// (and dropped if it did not match) by the extraction that ran before this.
    /// </summary>
    public static void Record(string debPath, string? debSha256, CancellationToken ct)
    {
        if (File.Exists(debPath + Suffix) && File.Exists(debPath + Suffix + MacSuffix)) return;
        using var recorder = StartRecording(debPath, debSha256);
        if (recorder is null) return;
        using var deb = DebArchive.OpenFile(debPath);
        using var data = recorder.Wrap(deb.OpenDataStream(readAhead: false));
        var buffer = new byte[1 << 16];
        while (data.Read(buffer) > 0) ct.ThrowIfCancellationRequested();
        recorder.Commit();
    }

    /// <summary>Removes the copy of <paramref name="debPath"/>, if any (when the .deb itself is replaced or found corrupt).</summary>
    public static void Discard(string debPath)
    {
        foreach (var f in new[] { debPath + Suffix, debPath + Suffix + MacSuffix })
            try { File.Delete(f); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Receives the decoded bytes while they are read; <see cref="Commit"/> once all were read, else nothing is kept.</summary>
    public sealed class Recorder : IDisposable
    {
        private readonly string _debPath;
        private readonly string _debSha256;
        private readonly string _temp;
        private readonly FileStream _file;
        private readonly ZstdSharp.CompressionStream _zstd;
        private bool _done;

        internal Recorder(string debPath, string debSha256, string temp, FileStream file)
        {
            _debPath = debPath;
            _debSha256 = debSha256;
            _temp = temp;
            _file = file;
            _zstd = new ZstdSharp.CompressionStream(file, Level, leaveOpen: true);
        }

        /// <summary>
        /// A stream that reads <paramref name="decoded"/> and copies every byte read into the recording. Writing the
        /// copy never fails the read: on an error (a full cache volume) the recording just stops and keeps nothing.
        /// </summary>
        public Stream Wrap(Stream decoded) => new TeeReadStream(decoded, _zstd, () => _failed = true);

        private bool _failed;

        /// <summary>Keeps the copy, if it was written whole: call after the wrapped stream was read to its end.</summary>
        public void Commit()
        {
            if (_failed) return;
            try
            {
                _zstd.Dispose();
                _file.Dispose();
                string mac;
                using (var written = File.OpenRead(_temp)) mac = Mac(Key.Value!, _debSha256, written);
                File.Move(_temp, _debPath + Suffix, overwrite: true);
                AtomicFile.Write(_debPath + Suffix + MacSuffix, mac + "\n");
                File.Delete(_debPath + Suffix + ".sha256"); // the plain-hash sidecar of earlier versions, if any
                _done = true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Discard(_debPath); // an optimisation for later builds, not worth failing this one
            }
        }

        public void Dispose()
        {
            if (_done) return;
            try { _zstd.Dispose(); } catch (Exception e) when (e is IOException or ObjectDisposedException) { }
            _file.Dispose();
            try { File.Delete(_temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}

/// <summary>Reads from a stream and writes every byte read to a sink (the decoded-data recording).</summary>
internal sealed class TeeReadStream(Stream source, Stream sink, Action onSinkFailure) : ForwardReadStream
{
    private bool _sinkFailed;

    public override int Read(Span<byte> buffer)
    {
        int n = source.Read(buffer);
        if (n > 0 && !_sinkFailed)
        {
            try
            {
                sink.Write(buffer[..n]);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _sinkFailed = true;
                onSinkFailure();
            }
        }
        BytesRead += n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) source.Dispose();
        base.Dispose(disposing);
    }
}
