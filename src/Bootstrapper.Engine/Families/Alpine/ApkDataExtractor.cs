using System.Formats.Tar;
using System.Runtime.InteropServices;
using Bootstrapper.Core.Alpine.Package;
using Bootstrapper.Engine.Archives;

namespace Bootstrapper.Engine.Families.Alpine;

/// <summary>
/// The shared <see cref="SafeExtractor"/> (chroot-style symlink resolution inside the root, no writing through
/// symlinks, hard links only to files of the same archive, owners and modes applied) over the .apk's data tar.
/// abuild's per-file APK-TOOLS.checksum.SHA1 PAX records are not needed here: the whole member was checked
/// against the signed datahash, and ApkInstalledDatabase checks each file's checksum.
/// </summary>
internal sealed class ApkDataExtractor(ExtractOptions? options = null) : IApkDataExtractor
{
    public void Extract(string root, ApkPackageContents package, string label, CancellationToken ct)
    {
        var stream = MemoryMarshal.TryGetArray(package.DataTar, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(package.DataTar.ToArray(), writable: false);
        using (stream)
        using (var tar = new TarReader(stream))
            new SafeExtractor(root, options).Extract(tar, label, ct);
    }
}
