using Bootstrapper.Core.Errors;

namespace Bootstrapper.Engine.Archives;

/// <summary>Turns a tar member name into a path relative to the staging root, refusing anything that could leave it.</summary>
internal static class MemberPath
{
    /// <summary>
    /// "./usr/bin/x" -> "usr/bin/x"; "./" -> "" (the root itself). ".debs name members "./..." (dpkg-deb builds
    /// with tar from the package directory), so that prefix is normal; an absolute name is not, and is refused
    /// rather than silently made relative. Any ".." component is refused, even a harmless "a/../b": no .deb
    /// built by dpkg-deb contains one.
    /// </summary>
    public static string Normalize(string name, string label, string role = "member")
    {
        if (name.Length == 0) throw Refuse(label, role, name, "has an empty name");
        if (name.Contains('\0')) throw Refuse(label, role, name, "contains a NUL byte");
        if (name[0] == '/') throw Refuse(label, role, name, "is an absolute path");
        // Fast path: the usual "./a/b/c" with no "." / ".." / empty components after the prefix.
        string rest = name.StartsWith("./", StringComparison.Ordinal) ? name[2..] : name;
        if (rest.EndsWith('/')) rest = rest.TrimEnd('/');
        if (IsClean(rest)) return rest;

        var parts = new List<string>();
        foreach (var part in rest.Split('/'))
        {
            if (part.Length == 0 || part == ".") continue;
            if (part == "..") throw Refuse(label, role, name, "escapes the root");
            parts.Add(part);
        }
        return string.Join('/', parts);
    }

    private static bool IsClean(string path)
    {
        if (path.Length == 0) return true;
        int start = 0;
        while (start <= path.Length)
        {
            int end = path.IndexOf('/', start);
            if (end < 0) end = path.Length;
            int length = end - start;
            if (length == 0) return false;
            if (path[start] == '.' && (length == 1 || (length == 2 && path[start + 1] == '.'))) return false;
            start = end + 1;
        }
        return true;
    }

    public static InstallException Refuse(string label, string role, string name, string why) =>
        new($"{label}: {role} '{name}' {why}; refusing to install");
}
