using Bootstrapper.Core.Errors;

namespace Bootstrapper.Engine.Archives;

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
public static class DebRepack
{
    public static void WithUncompressedData(string sourceDeb, string destinationDeb, string packageLabel)
    {
        try
        {
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
                if (DecodedDataCache.TryOpen(sourceDeb) is { } cached)
                {
                    using (cached) writer.AddFrom("data.tar", cached, member.ModifiedTime, member.Mode);
                    continue;
                }
                var kind = Decompression.KindFromName(member.Name);
                if (kind == CompressionKind.None)
                {
                    writer.AddFrom("data.tar", member.Data, member.ModifiedTime, member.Mode);
                    continue;
                }
                // Decoded once here, so keep the decoded copy for the next build (DecodedDataCache).
                using var recorder = DecodedDataCache.StartRecording(sourceDeb);
                var decoder = Decompression.Open(member.Data, kind, leaveOpen: true);
                using var decoded = recorder is null ? decoder : recorder.Wrap(decoder);
                writer.AddFrom("data.tar", decoded, member.ModifiedTime, member.Mode);
                recorder?.Commit();
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException && e is not FileNotFoundException)
        {
            File.Delete(destinationDeb);
            throw new InstallException($"{packageLabel}: cannot prepare the .deb for dpkg ({e.Message})", e);
        }
    }
}
