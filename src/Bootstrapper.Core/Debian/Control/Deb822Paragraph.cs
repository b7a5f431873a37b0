namespace Bootstrapper.Core.Debian.Control;

/// <summary>
/// One deb822 paragraph (a stanza of Packages, Release, dpkg status...). Field names compare case-insensitively,
/// as deb822(5) says. Multi-line values keep their continuation lines joined with '\n' and the leading space
/// removed from each continuation line ("." lines stay as ".").
/// </summary>
internal sealed class Deb822Paragraph
{
    private readonly Dictionary<string, string> _fields;

    public Deb822Paragraph(Dictionary<string, string> fields, int line)
    {
        _fields = fields;
        Line = line;
    }

    /// <summary>1-based line number of the paragraph's first field, for error messages.</summary>
    public int Line { get; }

    public IReadOnlyDictionary<string, string> Fields => _fields;

    public string? this[string name] => _fields.TryGetValue(name, out var v) ? v : null;

    public bool TryGet(string name, out string value) => _fields.TryGetValue(name, out value!);
}
