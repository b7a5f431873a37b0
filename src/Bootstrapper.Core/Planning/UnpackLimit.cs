using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Images.Diff;

namespace Bootstrapper.Core.Planning;

/// <summary>
/// How much one package may write when unpacked: twice its Installed-Size plus 64 MiB. Installed-Size is the
/// packager's estimate, and a small package could unpack to gigabytes of zeros (a 460 KB .deb to 3 GiB, into the
/// RAM-backed staging root); the limit stops such a package long before the staging file system fills up.
/// Measured on the 88 bookworm minbase .debs: regular-file bytes are at most 0.99 of Installed-Size (libdb5.3),
/// file bytes plus 1 KiB per member at most 1.11 (debianutils), the data tar at most 1.08 (libsemanage-common),
/// so the factor 2 never trips on a real package and the 64 MiB covers small packages' rounding. Without a usable
/// Installed-Size the limit is 32 times the package file plus 64 MiB (the data tar is at most 7.6 times the .deb
/// there: tzdata).
/// </summary>
internal sealed record UnpackLimit(long Bytes, string Basis)
{
    /// <param name="installedBytes">Installed-Size in bytes (null when absent or absurd).</param>
    /// <param name="packageFileBytes">Size of the .deb or .apk.</param>
    public static UnpackLimit For(long? installedBytes, long packageFileBytes)
    {
        if (installedBytes is { } installed and >= 0 and <= PackageSizes.MaxBytes)
            return new(2 * installed + PackageSizes.Slack,
                $"2 x Installed-Size {ImageDiffText.Size(installed)} + {ImageDiffText.Size(PackageSizes.Slack)}");
        var file = Math.Clamp(packageFileBytes, 0, PackageSizes.MaxBytes);
        return new(32 * file + PackageSizes.Slack,
            $"no usable Installed-Size: 32 x the package file's {ImageDiffText.Size(file)} + {ImageDiffText.Size(PackageSizes.Slack)}");
    }

    /// <param name="label">"package 'bash' 5.2.15-2+b2".</param>
    /// <param name="reached">Bytes counted when the limit was passed.</param>
    /// <param name="where">"at member './big'", "in its data member".</param>
    public InstallException Exceeded(string label, long reached, string where) => new(
        $"{label} unpacks to more than its limit of {ImageDiffText.Size(Bytes)} ({Basis}): stopped at " +
        $"{ImageDiffText.Size(reached)} {where}. Its Installed-Size is wrong or the package is hostile (a " +
        "decompression bomb); nothing of it is kept.");
}
