using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bootstrapper.Core.Images;

/// <summary>
/// The JSON written beside every image (IMAGE.manifest.json): what is in it and how it was made. `bootstrap diff`
/// compares two of these; scheduled rebuilds archive them. Shape documented in README "Manifest".
/// </summary>
public sealed record ImageManifest
{
    public const int CurrentFormat = 1;

    public int Format { get; init; } = CurrentFormat;
    public required string Recipe { get; init; }
    public required string Family { get; init; }
    public required string Architecture { get; init; }
    public long? SourceDateEpoch { get; init; }
    /// <summary>When no epoch was given: the index whose Date became <see cref="SourceDateEpoch"/>.</summary>
    public string? SourceDateEpochFrom { get; init; }
    public required ImageFile Image { get; init; }
    /// <summary>The image's /etc/os-release (null for manifests written before it was recorded).</summary>
    public OsRelease? Os { get; init; }
    public required IReadOnlyList<ManifestPackage> Packages { get; init; }
    public IReadOnlyList<ManifestIndex> Indices { get; init; } = [];
    /// <summary>Seconds per build phase, in order (varies from run to run; not part of the image).</summary>
    public IReadOnlyDictionary<string, double> PhaseSeconds { get; init; } = new Dictionary<string, double>();

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json) + "\n";

    public static ImageManifest FromJson(string json, string sourceName)
    {
        try
        {
            return JsonSerializer.Deserialize<ImageManifest>(json, Json)
                   ?? throw new FormatException("empty document");
        }
        catch (Exception e) when (e is JsonException or FormatException or NotSupportedException)
        {
            throw new Errors.RecipeException($"{sourceName}: not a bootstrap image manifest: {e.Message}", e);
        }
    }
}

public sealed record ImageFile(string Name, long Size, string Sha256);

public sealed record ManifestPackage
{
    public required string Name { get; init; }
    public required string Version { get; init; }
    public required string Architecture { get; init; }
    public required long Size { get; init; }
    public string? Sha256 { get; init; }
    public string? Filename { get; init; }
    /// <summary>Base URL of the repository the file was fetched from, when known (SBOM downloadLocation).</summary>
    public string? Repository { get; init; }
    /// <summary>Licence in SPDX form when the package declares one machine-readably, else null.</summary>
    public string? License { get; init; }
    /// <summary>Source package name, when different from the binary name (for SBOM / security trackers).</summary>
    public string? Source { get; init; }
}

public sealed record ManifestIndex(string Url, string Suite, string? Date, IReadOnlyList<string> SignedBy);
