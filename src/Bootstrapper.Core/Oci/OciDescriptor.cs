using System.Text.Json;
using System.Text.Json.Nodes;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Core.Oci;

/// <summary>An OCI content descriptor: what a manifest, index or layout says about a blob.</summary>
internal sealed record OciDescriptor(string MediaType, string Digest, long Size)
{
    public OciPlatform? Platform { get; init; }
    public string? ArtifactType { get; init; }
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    /// <summary>Writes the descriptor with its keys in the specification's order, so equal inputs give equal bytes.</summary>
    public void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("mediaType", MediaType);
        json.WriteString("digest", Digest);
        json.WriteNumber("size", Size);
        if (ArtifactType is not null) json.WriteString("artifactType", ArtifactType);
        if (Platform is { } p)
        {
            json.WritePropertyName("platform");
            json.WriteStartObject();
            json.WriteString("architecture", p.Architecture);
            json.WriteString("os", p.Os);
            if (p.Variant is not null) json.WriteString("variant", p.Variant);
            json.WriteEndObject();
        }
        OciJson.WriteMap(json, "annotations", Annotations);
        json.WriteEndObject();
    }

    public static OciDescriptor Read(JsonNode node, string where)
    {
        try
        {
            var o = node.AsObject();
            var platform = o["platform"] is JsonObject p
                ? new OciPlatform((string)p["architecture"]!, (string)p["os"]!, (string?)p["variant"])
                : null;
            return new OciDescriptor((string)o["mediaType"]!, (string)o["digest"]!, (long)o["size"]!)
            {
                Platform = platform,
                ArtifactType = (string?)o["artifactType"],
                Annotations = o["annotations"] is JsonObject a ? a.ToDictionary(x => x.Key, x => (string)x.Value!) : null,
            };
        }
        catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException)
        {
            throw new VerificationException($"{where}: malformed descriptor ({e.Message})", e);
        }
    }
}
