using Bootstrapper.Core.Debian.Control;
using Bootstrapper.Core.Planning;

namespace Bootstrapper.Engine.Families.Debian.Repository;

/// <summary>One component's verified Packages index.</summary>
/// <param name="Url">Where the compressed file came from (by-hash URL when used; a file path when it came from the cache).</param>
/// <param name="Entry">The Release's SHA256 entry it was checked against ("main/binary-amd64/Packages.xz").</param>
/// <param name="PackagesUtf8">The decompressed Packages file as its UTF-8 bytes (what <see cref="PackagesIndex"/> parses).</param>
/// <param name="FromCache">True when no download was needed.</param>
internal sealed record DebianComponentIndex(
    string Component, string Architecture, string Url, ReleaseEntry Entry, ReadOnlyMemory<byte> PackagesUtf8, bool FromCache)
{
    /// <summary>
    /// Identifies <see cref="PackagesUtf8"/> exactly: the SHA-256 of the uncompressed Packages when the bytes were
    /// checked against the Release's entry for it, else that of the (compressed) <see cref="Entry"/> they were
    /// decoded from. Either way equal keys mean equal bytes; a cached or a freshly decoded index of the same
    /// content get the same key when the Release lists the uncompressed file (Debian's do).
    /// </summary>
    public string ContentKey { get; init; } = Entry.Sha256 + "/" + Entry.Path;

    /// <summary>The decompressed Packages file as text (decoded on each call); parse with <see cref="Deb822.Parse"/>.</summary>
    public string PackagesText => System.Text.Encoding.UTF8.GetString(PackagesUtf8.Span);
}

/// <summary>A repository suite whose Release verified, with the verified Packages of each requested component.</summary>
/// <param name="Info">For the plan and the build manifest: signed URL, suite, Date, signing fingerprints.</param>
/// <param name="FromCache">True when the Release came from the cache (offline mode).</param>
internal sealed record DebianRepositoryIndex(
    DebianRepositoryRequest Request, IndexInfo Info, ReleaseFile Release, IReadOnlyList<DebianComponentIndex> Components,
    bool FromCache);
