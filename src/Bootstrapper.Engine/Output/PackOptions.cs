namespace Bootstrapper.Engine.Output;

/// <summary>How <see cref="ImagePacker"/> writes the image tar.</summary>
internal sealed record PackOptions
{
    /// <summary>When set, every mtime later than this (seconds since 1970) is clamped to it (reproducible builds).</summary>
    public long? SourceDateEpoch { get; init; }

    /// <summary>Worker threads for zstd and xz. The compressed bytes do not depend on this number.</summary>
    public int Threads { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>
    /// The format's own numeric level (gzip 0-9, zstd 1-19, xz 0-9), or null for the defaults: gzip "optimal"
    /// (about gzip -6), zstd 3, xz 6.
    /// </summary>
    public int? Level { get; init; }

    /// <summary>Called with the running count of tar bytes the compressor has taken in (about once per MiB), so a
    /// progress bar moves while an xz image compresses for seconds.</summary>
    public Action<long>? Progress { get; init; }

    /// <summary>The recipe's output.compression: "auto" (by the file name) or a value that must agree with it.</summary>
    public string Compression { get; init; } = "auto";

    /// <summary>
    /// Character devices that stand in the root as empty regular files, by archive name ("./dev/null"): a user
    /// namespace cannot mknod, so an unprivileged build leaves placeholders there and the tar gets the real node
    /// (mode and owner from the placeholder, as mknod would have left them).
    /// </summary>
    public IReadOnlyDictionary<string, (uint Major, uint Minor)> CharDeviceStandIns { get; init; } =
        new Dictionary<string, (uint Major, uint Minor)>();
}

/// <summary>The packed image.</summary>
/// <param name="Sha256">Lowercase hex SHA-256 of the file as written (compressed, if it is).</param>
/// <param name="Bytes">Size of the file as written.</param>
/// <param name="TarSha256">
/// SHA-256 of the uncompressed tar: a digest that does not depend on the compressor or its version. For a plain
/// .tar it is also what `podman import` (4.3) reports in RootFS.Layers; for a compressed file podman reports the
/// file's own digest (<see cref="Sha256"/>).
/// </param>
internal sealed record PackResult(string Path, string Sha256, long Bytes, int Entries, string TarSha256);
