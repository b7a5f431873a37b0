namespace Bootstrapper.Engine.Compression;

/// <summary>The compressions found in .deb members (deb(5)) and image tars.</summary>
internal enum CompressionKind
{
    None,
    Gzip,
    Xz,
    Zstd,
    Bzip2,
}
