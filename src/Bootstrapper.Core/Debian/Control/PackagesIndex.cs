using Bootstrapper.Core.Debian.Resolution;

namespace Bootstrapper.Core.Debian.Control;

/// <summary>
/// The text of one verified Packages index and where it came from, the input of <see cref="PackageUniverse"/>.
/// </summary>
/// <param name="Text">The whole decompressed Packages file.</param>
/// <param name="RepositoryUrl">Base URL the index's Filename fields are relative to (the mirror root).</param>
/// <param name="SourceName">Names the index in messages and reasons, e.g. "bookworm-security/main amd64".</param>
internal sealed record PackagesIndex(string Text, string RepositoryUrl, string SourceName)
{
    /// <summary>
    /// The index as the UTF-8 bytes of the file, which is what the reader parses: bookworm main is ~50 MB of bytes,
    /// twice that as a string. <see cref="Text"/> is then empty.
    /// </summary>
    public PackagesIndex(ReadOnlyMemory<byte> utf8, string repositoryUrl, string sourceName)
        : this("", repositoryUrl, sourceName) => Utf8 = utf8;

    /// <summary>The UTF-8 form given to the bytes constructor; empty when the index was given as text.</summary>
    public ReadOnlyMemory<byte> Utf8 { get; }

    /// <summary>
    /// apt's pin priority for this index (apt_preferences(5)): 500 by default, 100 when the Release file says
    /// "NotAutomatic: yes" and "ButAutomaticUpgrades: yes", 1 for "NotAutomatic: yes" alone (backports,
    /// experimental). A package's candidate is its version with the highest pin, then the highest version.
    /// </summary>
    public int PinPriority { get; init; } = DefaultPin;

    public const int DefaultPin = 500;

    /// <summary>The pin apt gives an index from its Release file's NotAutomatic and ButAutomaticUpgrades fields.</summary>
    public static int PinFromRelease(bool notAutomatic, bool butAutomaticUpgrades) =>
        !notAutomatic ? DefaultPin : butAutomaticUpgrades ? 100 : 1;
}
