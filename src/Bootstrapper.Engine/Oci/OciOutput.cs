using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Output;

namespace Bootstrapper.Engine.Oci;

/// <summary>
/// A build's OCI output (PATH.oci.tar or PATH.oci): the layout is written under a temporary name beside the output
/// and moved into place only when complete, so the output is either absent, the previous one, or whole.
/// </summary>
internal static class OciOutput
{
    /// <summary>Before any download: an existing PATH.oci must be a layout we may replace, not someone's folder.</summary>
    public static void CheckTarget(string output, ImageOutputFormat format)
    {
        if (format.Layout != ImageLayout.OciDirectory) return;
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(output));
        if (File.Exists(full))
            throw new RecipeException($"output '{output}' is a file; an .oci output is a directory (an OCI image layout)");
        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any() &&
            !File.Exists(Path.Combine(full, OciLayout.LayoutFile)))
            throw new RecipeException($"output '{output}' is a folder that is not an OCI image layout; choose another name or remove it");
    }

    /// <returns>The output as a <see cref="PackResult"/> (for a directory: the manifest digest and the blobs' total
    /// size) and the manifest's digest.</returns>
    public static (PackResult Packed, string ManifestDigest) Write(string root, string output, ImageOutputFormat format,
        OciImageSpec spec, PackOptions pack, CancellationToken ct)
    {
        CheckTarget(output, format);
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(output));
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.layout");
        var tempTar = temp + ".tar";
        try
        {
            var image = OciImageWriter.FromRoot(root, temp, spec, format.Compression, pack, ct);
            var diffHex = image.DiffId["sha256:".Length..];
            ct.ThrowIfCancellationRequested();
            if (format.Layout == ImageLayout.OciArchive)
            {
                var (sha, bytes) = OciArchive.Write(temp, tempTar, pack.SourceDateEpoch);
                File.Move(tempTar, full, overwrite: true);
                return (new PackResult(full, sha, bytes, image.Entries, diffHex), image.Manifest.Digest);
            }
            var size = Directory.EnumerateFiles(temp, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            if (Directory.Exists(full)) Directory.Delete(full, recursive: true);
            Directory.Move(temp, full);
            return (new PackResult(full, image.Manifest.Digest["sha256:".Length..], size, image.Entries, diffHex), image.Manifest.Digest);
        }
        catch (IOException e)
        {
            throw new InstallException($"cannot write the OCI image '{output}': {e.Message}", e);
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
            File.Delete(tempTar);
        }
    }
}
