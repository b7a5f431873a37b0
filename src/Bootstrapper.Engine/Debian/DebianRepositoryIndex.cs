using Bootstrapper.Core.Debian;
using Bootstrapper.Core.Planning;

namespace Bootstrapper.Engine.Debian;

/// <summary>One component's verified Packages index.</summary>
/// <param name="Url">Where the compressed file came from (by-hash URL when used; a file path when it came from the cache).</param>
/// <param name="Entry">The Release's SHA256 entry it was checked against ("main/binary-amd64/Packages.xz").</param>
/// <param name="PackagesText">The decompressed Packages file; parse with <see cref="Deb822.Parse"/>.</param>
/// <param name="FromCache">True when no download was needed.</param>
public sealed record DebianComponentIndex(
    string Component, string Architecture, string Url, ReleaseEntry Entry, string PackagesText, bool FromCache);

/// <summary>A repository suite whose Release verified, with the verified Packages of each requested component.</summary>
/// <param name="Info">For the plan and the build manifest: signed URL, suite, Date, signing fingerprints.</param>
/// <param name="FromCache">True when the Release came from the cache (offline mode).</param>
public sealed record DebianRepositoryIndex(
    DebianRepositoryRequest Request, IndexInfo Info, ReleaseFile Release, IReadOnlyList<DebianComponentIndex> Components,
    bool FromCache);
