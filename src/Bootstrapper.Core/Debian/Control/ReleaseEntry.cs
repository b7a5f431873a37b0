namespace Bootstrapper.Core.Debian.Control;

/// <summary>One line of a Release file's SHA256 field: an index file, its size and its digest.</summary>
/// <param name="Path">Relative to dists/SUITE/ ("main/binary-amd64/Packages.xz").</param>
/// <param name="Sha256">Lower-case hex.</param>
internal sealed record ReleaseEntry(string Path, string Sha256, long Size);
