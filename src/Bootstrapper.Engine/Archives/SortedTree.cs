using System.Text;
using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Os.Native;

namespace Bootstrapper.Engine.Archives;

/// <summary>Depth-first walk of a tree in tar order: "./" first, then each directory's children by UTF-8 byte order.</summary>
internal static class SortedTree
{
    public static IEnumerable<(string Name, string Path, FileStatus Status)> Walk(string root)
    {
        yield return ("./", root, LibC.Lstat(root));
        foreach (var item in WalkDirectory(root, "./")) yield return item;
    }

    private static IEnumerable<(string Name, string Path, FileStatus Status)> WalkDirectory(string directory, string prefix)
    {
        var names = Directory.EnumerateFileSystemEntries(directory).Select(p => Path.GetFileName(p)).ToList();
        names.Sort(Utf8Order);
        foreach (var name in names)
        {
            string path = directory + "/" + name;
            // .NET decodes names as UTF-8; a name that is not valid UTF-8 comes back altered and cannot be found.
            if (!LibC.TryLstat(path, out var status))
                throw new InstallException($"cannot pack '{path}': it vanished while packing, or its name is not valid " +
                    "UTF-8 (rename it, or remove it from the image)");
            if (status.IsDirectory)
            {
                yield return (prefix + name + "/", path, status);
                foreach (var item in WalkDirectory(path, prefix + name + "/")) yield return item;
            }
            else
            {
                yield return (prefix + name, path, status);
            }
        }
    }

    /// <summary>Ordinal UTF-16 order differs from UTF-8 byte order only for characters beyond U+FFFF.</summary>
    private static int Utf8Order(string a, string b)
    {
        if (!a.Any(char.IsSurrogate) && !b.Any(char.IsSurrogate)) return string.CompareOrdinal(a, b);
        return Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b));
    }
}
