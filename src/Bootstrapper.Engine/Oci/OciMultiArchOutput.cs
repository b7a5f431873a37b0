using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Oci;
using Bootstrapper.Engine.Output;

namespace Bootstrapper.Engine.Oci;

/// <summary>
/// The OCI output of a recipe that lists several architectures: after each architecture's image is written to its own
/// NAME-ARCH.oci.tar (or .oci), the recipe's own output path gets one layout whose image index lists every image
/// with its platform (<see cref="OciIndexWriter"/>). Written under a temporary name and moved into place whole.
/// </summary>
internal static class OciMultiArchOutput
{
    /// <param name="output">The recipe's own output (PATH.oci.tar or PATH.oci).</param>
    /// <param name="refName">The name index.json gives the index (the recipe's name; `podman load` tags it so).</param>
    /// <param name="images">Each architecture's platform and its built .oci.tar or .oci.</param>
    /// <param name="epoch">The archive's entry times (SOURCE_DATE_EPOCH), as for a single image.</param>
    /// <returns>The index's digest.</returns>
    public static string Write(string output, ImageOutputFormat format, string refName,
        IReadOnlyList<(OciPlatform Platform, string ImagePath)> images, long? epoch)
    {
        OciOutput.CheckTarget(output, format);
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(output));
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.index");
        var extracted = new List<string>();
        try
        {
            var layouts = new List<(OciPlatform, OciImage)>();
            foreach (var (platform, path) in images)
            {
                var layout = path;
                if (!Directory.Exists(path))
                {
                    layout = $"{temp}.{extracted.Count}";
                    extracted.Add(layout);
                    OciArchive.Extract(path, layout);
                }
                var manifests = OciLayout.ReadIndex(layout);
                if (manifests.Count != 1)
                    throw new InstallException($"{path} holds {manifests.Count} images; an image index is made of single images");
                layouts.Add((platform, new OciImage(layout, manifests[0], "", 0)));
            }
            var index = OciIndexWriter.Write(temp, refName, layouts);
            if (format.Layout == ImageLayout.OciArchive)
            {
                OciArchive.Write(temp, temp + ".tar", epoch);
                File.Move(temp + ".tar", full, overwrite: true);
            }
            else
            {
                if (Directory.Exists(full)) Directory.Delete(full, recursive: true);
                Directory.Move(temp, full);
            }
            return index.Digest;
        }
        catch (IOException e)
        {
            throw new InstallException($"cannot write the OCI image index '{output}': {e.Message}", e);
        }
        finally
        {
            foreach (var dir in extracted.Append(temp).Where(Directory.Exists)) Directory.Delete(dir, recursive: true);
            File.Delete(temp + ".tar");
        }
    }
}
