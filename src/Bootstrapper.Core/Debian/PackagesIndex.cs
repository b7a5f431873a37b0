namespace Bootstrapper.Core.Debian;

/// <summary>
/// The text of one verified Packages index and where it came from, the input of <see cref="PackageUniverse"/>.
/// </summary>
/// <param name="Text">The whole decompressed Packages file.</param>
/// <param name="RepositoryUrl">Base URL the index's Filename fields are relative to (the mirror root).</param>
/// <param name="SourceName">Names the index in messages and reasons, e.g. "bookworm-security/main amd64".</param>
public sealed record PackagesIndex(string Text, string RepositoryUrl, string SourceName);
