using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Planning;
using Bootstrapper.Engine.Archives;
using Bootstrapper.Engine.Compression;
using Bootstrapper.Engine.Streams;

namespace Bootstrapper.Engine.Families.Debian.Deb;

/// <summary>
/// Rewrites a .deb with its data member decompressed (data.tar.xz -> data.tar), everything else byte for byte.
/// </summary>
/// <remarks>
/// Why: in the chroot, dpkg unpacks each .deb through dpkg-deb on one core, and xz decoding is most of that work.
/// Decoding the members ourselves, on every core, before dpkg starts takes that off dpkg's serial path; dpkg reads
/// an uncompressed data.tar like any other (deb(5)). What dpkg installs and records is the same: the control member
/// is untouched, and nothing in the dpkg database depends on how data.tar was compressed. The source file was
/// verified against the signed index before this; the copy lives only inside the staging root.
/// </remarks>
internal static class DebRepack
{
    /// <param name="sourceSha256">The source's SHA-256 from the signed index: binds its decoded copy
    /// (<see cref="DecodedDataCache"/>) to it; null uses and keeps no copy.</param>
    public static void WithUncompressedData(string sourceDeb, string destinationDeb, string packageLabel,
        string? sourceSha256 = null)
    {
        try
        {
            // dpkg unpacks whatever the data member holds: it must stay within the package's limit, counted here.
            UnpackLimit limit;
            using (var deb = DebArchive.OpenFile(sourceDeb, packageLabel))
                limit = deb.Control.UnpackLimit(new FileInfo(sourceDeb).Length);
            using var input = new FileStream(sourceDeb, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            // CreateNew (O_EXCL): a link a maintainer script planted at the name is refused, never written through.
            using var output = new FileStream(destinationDeb, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);
            var reader = new ArReader(input, packageLabel);
            var writer = new ArWriter(output);
            while (reader.Next() is { } member)
            {
                if (!member.Name.StartsWith("data.tar", StringComparison.Ordinal))
                {
                    var bytes = new byte[member.Size]; // debian-binary and control.tar.*: small
                    member.Data.ReadExactly(bytes);
                    writer.Add(member.Name, bytes, member.ModifiedTime, member.Mode);
                    continue;
                }
                if (DecodedDataCache.TryOpen(sourceDeb, sourceSha256) is { } cached)
                {
                    using var limited = new LimitedReadStream(cached, limit, packageLabel);
                    writer.AddFrom("data.tar", limited, member.ModifiedTime, member.Mode);
                    continue;
                }
                var kind = Decompression.KindFromName(member.Name);
                if (kind == CompressionKind.None)
                {
                    writer.AddFrom("data.tar", new LimitedReadStream(member.Data, limit, packageLabel), member.ModifiedTime, member.Mode);
                    continue;
                }
                // Decoded once here, so keep the decoded copy for the next build (DecodedDataCache).
                using var recorder = DecodedDataCache.StartRecording(sourceDeb, sourceSha256);
                var decoder = Decompression.Open(member.Data, kind, leaveOpen: true);
                using var decoded = new LimitedReadStream(recorder is null ? decoder : recorder.Wrap(decoder), limit, packageLabel);
                writer.AddFrom("data.tar", decoded, member.ModifiedTime, member.Mode);
                recorder?.Commit();
            }
        }
        catch (Exception e) when (e is (InvalidDataException or EndOfStreamException or IOException) and not FileNotFoundException)
        {
            File.Delete(destinationDeb);
            throw new InstallException($"{packageLabel}: cannot prepare the .deb for dpkg ({e.Message})", e);
        }
        catch (InstallException)
        {
            File.Delete(destinationDeb); // past its limit: not a byte of it stays
            throw;
        }
    }
}
