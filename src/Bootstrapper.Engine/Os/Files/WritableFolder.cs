using Bootstrapper.Core.Errors;

namespace Bootstrapper.Engine.Os.Files;

/// <summary>
/// Before any download: can the build write where it must (the cache, the output's folder)? Asked by doing it (a
/// file created and deleted on close), because permission bits do not tell root about read-only mounts, ACLs or
/// /proc, and access(2) answers for the real user, not for the namespace's root a rootless build runs as.
/// </summary>
internal static class WritableFolder
{
    /// <summary>
    /// Checks that <paramref name="folder"/> can be made (if missing) and written, creating nothing: the nearest
    /// folder on the way that exists is probed, so a build refused later leaves no empty folder behind.
    /// </summary>
    /// <param name="what">How the message names it ("the cache folder").</param>
    /// <param name="fix">What to do instead ("give one you can write to with --cache DIR").</param>
    public static void Require(string folder, string what, string fix)
    {
        if (FirstNonFolder(folder) is { } file)
            throw new RecipeException($"{what} '{folder}' cannot be made: '{file}' is a file, not a folder; {fix}");
        var existing = folder;
        while (!Directory.Exists(existing)) existing = Path.GetDirectoryName(existing)!;
        var probe = Path.Combine(existing, $".bootstrap-write-check.{Environment.ProcessId}.{Guid.NewGuid():N}");
        try
        {
            using var written = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RecipeException($"{what} '{folder}' is not writable ({Reason(e)}); {fix}", e);
        }
    }

    /// <summary>The runtime's messages name our probe file; say what went wrong in words that name no temporary file.</summary>
    private static string Reason(Exception e) => e switch
    {
        UnauthorizedAccessException => "permission denied",
        FileNotFoundException or DirectoryNotFoundException => "the file system there does not allow it",
        _ when e.HResult == 30 => "read-only file system", // EROFS
        _ => e.Message.TrimEnd('.'),
    };

    /// <summary>The first path on the way to <paramref name="folder"/> (itself included) that exists and is not a folder.</summary>
    private static string? FirstNonFolder(string folder)
    {
        for (var p = Path.GetFullPath(folder); !string.IsNullOrEmpty(p); p = Path.GetDirectoryName(p))
        {
            if (Directory.Exists(p)) return null;
            if (File.Exists(p)) return p;
        }
        return null;
    }
}
