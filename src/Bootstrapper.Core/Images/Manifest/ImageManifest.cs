using System.Text.Json;
using System.Text.Json.Serialization;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Recipes;

namespace Bootstrapper.Core.Images.Manifest;

/// <summary>
/// The JSON written beside every image (IMAGE.manifest.json): what is in it and how it was made. `bootstrap diff`
/// compares two of these; scheduled rebuilds archive them. Shape documented in README "Manifest".
/// </summary>
internal sealed record ImageManifest
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
    /// <summary>The recipe's [image] (when it has one): `bootstrap push` wraps a plain tar with it.</summary>
    public ImageSettings? ImageConfig { get; init; }
    /// <summary>For .oci and .oci.tar outputs: the image manifest's digest ("sha256:...").</summary>
    public string? OciManifestDigest { get; init; }
    /// <summary>Files the recipe added ([[files]], apt keys), each with its hash; null when none.</summary>
    public IReadOnlyList<ManifestFile>? Files { get; init; }
    /// <summary>The recipe's [[run]] steps, in the order they ran; null when none.</summary>
    public IReadOnlyList<ManifestRunStep>? RunSteps { get; init; }
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
            throw new RecipeException($"{sourceName}: not a bootstrap image manifest: {e.Message}", e);
        }
    }
}

internal sealed record ImageFile(string Name, long Size, string Sha256);

internal sealed record ManifestPackage
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

/// <summary>A path the recipe added to the image.</summary>
/// <param name="Type">file, directory or symlink.</param>
/// <param name="Mode">Octal permission bits ("0644"); null for a symlink.</param>
/// <param name="Owner">"uid:gid" as numbers.</param>
/// <param name="Sha256">Of a file's content; null otherwise.</param>
/// <param name="Target">Of a symlink; null otherwise.</param>
/// <param name="Origin">What it came from: "files[0]: ca/internal-ca.crt", "files[1]: inline", "image_sources[0].key".</param>
internal sealed record ManifestFile(string Path, string Type, string? Mode, string Owner, long? Size, string? Sha256,
    string? Target, string Origin)
{
    /// <summary>Of a file's content (SPDX 2.3 requires it of every file); null otherwise.</summary>
    public string? Sha1 { get; init; }
}

/// <summary>A [[run]] step: what ran, where in the build, and whether it had the network.</summary>
internal sealed record ManifestRunStep(string Name, string Stage, string Command, bool Network);

internal sealed record ManifestIndex(string Url, string Suite, string? Date, IReadOnlyList<string> SignedBy);
