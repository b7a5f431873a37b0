using System.Text;
using Bootstrapper.Core.Debian.Control;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Planning;

namespace Bootstrapper.Engine.Families.Debian.Deb;

/// <summary>One file of a .deb's control member: `control`, a maintainer script, `conffiles`, `md5sums`, ...</summary>
internal sealed record ControlFile(string Name, uint Mode, byte[] Data, long MTime = 0)
{
    public string Text => Encoding.UTF8.GetString(Data);
    /// <summary>Maintainer scripts must be executable to run (dpkg runs them directly).</summary>
    public bool IsExecutable => (Mode & 0x49 /* 0111 */) != 0;
}

/// <summary>The files of control.tar, by name without the "./" prefix.</summary>
internal sealed class ControlFiles
{
    private readonly Dictionary<string, ControlFile> _files;
    private readonly string _packageLabel;

    internal ControlFiles(Dictionary<string, ControlFile> files, string packageLabel)
    {
        _files = files;
        _packageLabel = packageLabel;
    }

    public IReadOnlyDictionary<string, ControlFile> Files => _files;

    public ControlFile? this[string name] => _files.GetValueOrDefault(name);

    /// <summary>
    /// How much the package may write when unpacked (<see cref="UnpackLimit"/>), from the Installed-Size
    /// of its `control` file, which the signed index vouches for through the .deb's hash like the rest of it.
    /// </summary>
    /// <param name="packageFileBytes">Size of the .deb (the limit without a usable Installed-Size).</param>
    public Core.Planning.UnpackLimit UnpackLimit(long packageFileBytes) =>
        Core.Planning.UnpackLimit.For(PackageSizes.KiBToBytes(ParseControl()["Installed-Size"]), packageFileBytes);

    /// <summary>The `control` file parsed as a deb822 paragraph.</summary>
    public Deb822Paragraph ParseControl()
    {
        var control = this["control"] ?? throw new InstallException(
            $"{_packageLabel}: control.tar has no 'control' file; the .deb is malformed.");
        var paragraphs = Deb822.Parse(control.Text, sourceName: $"{_packageLabel}: control");
        if (paragraphs.Count != 1)
            throw new InstallException($"{_packageLabel}: the 'control' file holds {paragraphs.Count} paragraphs instead of 1.");
        return paragraphs[0];
    }
}
