using System.Security.Cryptography;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Planning;

namespace Bootstrapper.Engine.Pipeline;

/// <summary>
/// Whether a file is the package a plan names: the size and SHA-256 the signed index gives and, for a family whose
/// index gives no SHA-256 of the file, the family's own check (<see cref="FamilyPlan.VerifyPackageFile"/>). Every package
/// file the build takes from the cache, downloads or puts into a bundle passes through here.
/// </summary>
internal sealed class PackageFileCheck(FamilyPlan family)
{
    /// <summary>The whole check of <paramref name="file"/>, named <paramref name="label"/> in messages.</summary>
    /// <exception cref="VerificationException">It is not the package <paramref name="p"/> names.</exception>
    public void Verify(PlannedPackage p, string file, string label)
    {
        var size = new FileInfo(file).Length;
        if (size != p.Size)
            throw new VerificationException($"{Describe(p)}: {label} has {size} bytes, the signed index says {p.Size}");
        if (p.Sha256 is { } expected)
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16,
                FileOptions.SequentialScan);
            var actual = Convert.ToHexStringLower(SHA256.HashData(stream));
            if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
                throw new VerificationException($"{Describe(p)}: {label} has SHA-256 {actual}, the signed index says {expected}");
        }
        VerifyContent(p, file, label);
    }

    /// <summary>
    /// What the downloader cannot check by size and SHA-256 alone: the family's check, when the index gives no
    /// SHA-256 of the file. A package that cannot even be read is as unverified as one with a bad signature.
    /// </summary>
    public void VerifyContent(PlannedPackage p, string file, string label)
    {
        if (p.Sha256 is not null) return;
        try
        {
            family.VerifyPackageFile(p, file, label);
        }
        catch (InstallException e) // a malformed archive member: unverified all the same
        {
            throw new VerificationException(e.Message, e);
        }
    }

    public static string Describe(PlannedPackage p) => $"{p.Name} {p.Version} ({p.Architecture})";
}
