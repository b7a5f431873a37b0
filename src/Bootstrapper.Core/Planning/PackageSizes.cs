using System.Globalization;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Core.Planning;

/// <summary>
/// Bounds on the sizes an index, a lock or a package states. The largest real Debian and Alpine packages are a few
/// GiB, file and contents alike, so a size above 1 TiB is a broken or hostile index: refusing it when it is read
/// also keeps every sum and product below overflow (2^40 bytes times a million packages is 2^60, under 2^63).
/// </summary>
internal static class PackageSizes
{
    public const long MaxBytes = 1L << 40;
    public const long MaxKiB = MaxBytes / 1024;
    public const string MaxText = "1 TiB";

    /// <summary>What the staging root needs on top of the packages' contents, and a package's unpack on top of twice its Installed-Size.</summary>
    public const long Slack = 64L << 20;

    /// <summary>Installed-Size in KiB as bytes; null when absent, not a number, or absurd.</summary>
    public static long? KiBToBytes(string? kib) =>
        long.TryParse(kib, NumberStyles.None, CultureInfo.InvariantCulture, out var k) && k <= MaxKiB ? k * 1024 : null;

    /// <summary>
    /// Bytes the package takes unpacked: Installed-Size from its index (KiB), else four times the package file.
    /// Every source of these values refused absurd ones already; this one refuses them too rather than overflow.
    /// </summary>
    public static long InstalledBytes(PlannedPackage p)
    {
        if (p.InstalledSizeKiB is { } kib)
            return kib is >= 0 and <= MaxKiB
                ? kib * 1024
                : throw Absurd($"package '{p.Name}' {p.Version}", "Installed-Size", kib.ToString(CultureInfo.InvariantCulture) + " KiB");
        if (p.Size is < 0 or > MaxBytes)
            throw Absurd($"package '{p.Name}' {p.Version}", "Size", p.Size.ToString(CultureInfo.InvariantCulture));
        return p.Size * 4;
    }

    /// <summary>
    /// Room the staging file system needs for packages taking <paramref name="installedBytes"/> unpacked: twice that
    /// (the Debian installer keeps an uncompressed copy of each .deb it hands to dpkg in the root until the end) and
    /// <see cref="Slack"/>.
    /// </summary>
    public static long StagingBytes(long installedBytes) => 2 * installedBytes + Slack;

    /// <param name="what">"bookworm/main:12: package 'x'".</param>
    /// <param name="value">The value as the source wrote it, with its unit ("99999999999999 KiB").</param>
    public static ResolutionException Absurd(string what, string field, string value) => new(
        $"{what} has an absurd {field} of {value} (more than {MaxText}); the index is broken or hostile, so nothing " +
        "is planned from it. Fix the repository, or drop it from the recipe.");
}
