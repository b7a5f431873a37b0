using Bootstrapper.Core.Errors;
using Bootstrapper.Core.OpenPgp;

namespace Bootstrapper.Engine.Families.Debian.Repository;

/// <summary>Reads keyring files from disk for <see cref="OpenPgpKeyring"/> (which, being pure, takes bytes).</summary>
internal static class RepositoryKeyring
{
    /// <summary>
    /// Loads keyring files and folders. A folder contributes its *.gpg and *.asc files in name order, as apt reads
    /// /etc/apt/trusted.gpg.d; other files in it are skipped.
    /// </summary>
    /// <exception cref="RecipeException">A path does not exist, a folder holds no keyring, or a file is not a keyring.</exception>
    public static OpenPgpKeyring Load(IEnumerable<string> paths)
    {
        var files = new List<(string, byte[])>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var inside = Directory.GetFiles(path)
                    .Where(f => f.EndsWith(".gpg", StringComparison.Ordinal) || f.EndsWith(".asc", StringComparison.Ordinal))
                    .Order(StringComparer.Ordinal)
                    .ToList();
                if (inside.Count == 0)
                    throw new RecipeException($"keyring folder {path} holds no *.gpg or *.asc file; point to the keyring file itself");
                files.AddRange(inside.Select(f => (f, File.ReadAllBytes(f))));
            }
            else if (File.Exists(path))
            {
                files.Add((path, File.ReadAllBytes(path)));
            }
            else
            {
                throw new RecipeException(
                    $"keyring {path} does not exist; fix the recipe's keyrings or --keyring (Debian's is " +
                    "/usr/share/keyrings/debian-archive-keyring.gpg from the package debian-archive-keyring)");
            }
        }
        return OpenPgpKeyring.Load(files);
    }
}
