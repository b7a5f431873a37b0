namespace Bootstrapper.Core.Images.Manifest;

/// <summary>
/// The operating system of an image, from its /etc/os-release (os-release(5)): what scanners match advisories by.
/// Recorded in the manifest; the SBOMs name it as their operating-system element and in every purl's `distro=`.
/// </summary>
internal sealed record OsRelease
{
    /// <summary>ID: "debian", "alpine", "ubuntu".</summary>
    public required string Id { get; init; }
    /// <summary>VERSION_ID: "12", "3.23.0"; absent in Debian's testing and unstable.</summary>
    public string? VersionId { get; init; }
    /// <summary>VERSION_CODENAME: "bookworm".</summary>
    public string? VersionCodename { get; init; }
    public string? PrettyName { get; init; }

    /// <summary>
    /// The purl `distro` qualifier as scanners expect it: "debian-12" (Debian: the major version), "alpine-3.23"
    /// (Alpine: the branch, whose advisories the secdb keys by it); without a version, the codename ("debian-trixie").
    /// </summary>
    public string Distro
    {
        get
        {
            var version = VersionId;
            if (version is not null && Id == "alpine")
                version = string.Join('.', version.Split('.').Take(2));
            return $"{Id}-{version ?? VersionCodename ?? "unknown"}";
        }
    }

    /// <summary>Parses os-release text: KEY=value lines, values optionally quoted; null without an ID.</summary>
    public static OsRelease? Parse(string text)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            var eq = line.IndexOf('=');
            if (line.StartsWith('#') || eq <= 0) continue;
            var value = line[(eq + 1)..];
            if (value.Length >= 2 && (value[0] is '"' or '\'') && value[^1] == value[0]) value = value[1..^1];
            fields[line[..eq]] = value.Replace("\\\"", "\"").Replace("\\\\", "\\");
        }
        if (!fields.TryGetValue("ID", out var id) || id.Length == 0) return null;
        return new OsRelease
        {
            Id = id.ToLowerInvariant(),
            VersionId = fields.GetValueOrDefault("VERSION_ID") is { Length: > 0 } v ? v : null,
            VersionCodename = fields.GetValueOrDefault("VERSION_CODENAME") is { Length: > 0 } c ? c : null,
            PrettyName = fields.GetValueOrDefault("PRETTY_NAME"),
        };
    }
}
