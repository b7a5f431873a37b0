using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Planning;

namespace Bootstrapper.Engine.Pipeline;

/// <summary>
/// A family whose index pins a package file by something other than its SHA-256 (Alpine: the package signature,
/// the .PKGINFO datahash and the index's C:, the SHA-1 of the control member) checks each file itself: on every use
/// from the cache, before a download is renamed into it, and before a bundle is said to hold it.
/// </summary>
internal interface IPackageFileVerifier
{
    /// <param name="label">How a message names the file: its cache path, or where it was downloaded from.</param>
    /// <exception cref="VerificationException">The file is not the package <paramref name="package"/> names.</exception>
    void VerifyPackageFile(BuildSession session, PlannedPackage package, string file, string label);
}
