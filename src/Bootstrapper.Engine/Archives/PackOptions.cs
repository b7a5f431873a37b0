namespace Bootstrapper.Engine.Archives;

/// <summary>How <see cref="ImagePacker"/> writes the image tar.</summary>
public sealed record PackOptions
{
    /// <summary>When set, every mtime later than this (seconds since 1970) is clamped to it (reproducible builds).</summary>
    public long? SourceDateEpoch { get; init; }

    /// <summary>Worker threads for zstd and xz. The compressed bytes do not depend on this number.</summary>
    public int Threads { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Compression level; null for the default of each format (gzip: optimal, zstd: 3, xz: 6).</summary>
    public int? Level { get; init; }
}

/// <summary>The packed image: where it is, its SHA-256 (lowercase hex, of the final compressed file) and size.</summary>
public sealed record PackResult(string Path, string Sha256, long Bytes, int Entries);
