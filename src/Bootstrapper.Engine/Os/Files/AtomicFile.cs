using System.Text;

namespace Bootstrapper.Engine.Os.Files;

/// <summary>
/// Writes a file so that readers see either the old content or the new, never half of it: a unique temporary name in
/// the same folder (so concurrent writers never share one), then a rename. The temporary file never outlives a failure.
/// </summary>
internal static class AtomicFile
{
    public static void Write(string path, ReadOnlySpan<byte> data)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.part");
        try
        {
            File.WriteAllBytes(temp, data);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    public static void Write(string path, string text) => Write(path, new UTF8Encoding(false).GetBytes(text));
}
