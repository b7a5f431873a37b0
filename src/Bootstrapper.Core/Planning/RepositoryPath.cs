namespace Bootstrapper.Core.Planning;

/// <summary>
/// The rule for where a package file lies in its repository (a Debian index's Filename, a lock's filename, the
/// name and version an Alpine package's file name is made of). The engine appends it to the mirror's URL, opens it
/// under a file:// mirror's folder and writes it into a bundle, so it must name a file inside the repository for
/// every one of them: no absolute path, no "..", "." or empty segment, no backslash, query, fragment or control
/// character, and none of these spelt with %-escapes either (a file:// URL and many HTTP servers decode them).
/// </summary>
internal static class RepositoryPath
{
    /// <summary>Why <paramref name="path"/> could name something outside the repository; null when it cannot.</summary>
    public static string? Problem(string path)
    {
        if (path.Length == 0) return "it is empty";
        if (path.IndexOfAny(['?', '#']) >= 0) return "it has a URL query or fragment";
        string decoded;
        try
        {
            decoded = Uri.UnescapeDataString(path);
        }
        catch (UriFormatException)
        {
            return "its %-escapes are malformed";
        }
        foreach (var form in decoded == path ? [path] : new[] { path, decoded })
        {
            var spelt = form == path ? "" : " once %-escapes are decoded";
            if (form.StartsWith('/')) return "it is an absolute path" + spelt;
            if (form.Contains('\\')) return "it has a backslash" + spelt;
            if (form.Any(char.IsControl)) return "it has a control character" + spelt;
            foreach (var segment in form.Split('/'))
                if (segment is "" or "." or "..")
                    return $"it has a{(segment == "" ? "n empty" : $" '{segment}'")} segment{spelt}";
        }
        return null;
    }

    /// <summary>Why <paramref name="name"/> is not one file name within a folder (no '/' however spelt); null if it is.</summary>
    public static string? FileNameProblem(string name) =>
        Problem(name) ?? (Uri.UnescapeDataString(name).Contains('/') ? "it has a '/'" : null);
}
