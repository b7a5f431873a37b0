using Bootstrapper.Core.Alpine.Index;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Engine.Families.Alpine;

/// <summary>Loads the recipe's Alpine keyrings: .rsa.pub files, or directories of them (like /etc/apk/keys).</summary>
internal static class ApkKeyringFiles
{
    public static ApkKeyring Load(IEnumerable<string> paths)
    {
        var keys = new List<KeyValuePair<string, string>>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                foreach (var f in Directory.EnumerateFiles(path).Order(StringComparer.Ordinal))
                    keys.Add(new(Path.GetFileName(f), File.ReadAllText(f)));
            }
            else if (File.Exists(path))
            {
                keys.Add(new(Path.GetFileName(path), File.ReadAllText(path)));
            }
            else
            {
                throw new RecipeException($"Alpine keyring '{path}' does not exist (expected a .rsa.pub file or a directory of them).");
            }
        }
        if (keys.Count == 0) throw new RecipeException("No Alpine public keys found in the recipe's keyrings.");
        return new ApkKeyring(keys);
    }
}
