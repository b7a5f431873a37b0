using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Core.Oci;

/// <summary>
/// Compact JSON with a fixed key order: a manifest's digest is the SHA-256 of its bytes, so the same image must always
/// serialize to the same bytes. Maps are written sorted by key (ordinal), as Go's encoding/json does.
/// </summary>
internal static class OciJson
{
    public static byte[] Write(Action<Utf8JsonWriter> body) => JsonOutput.Bytes(JsonOutput.Compact, body);

    public static void WriteMap(Utf8JsonWriter json, string name, IReadOnlyDictionary<string, string>? map)
    {
        if (map is not { Count: > 0 }) return;
        json.WritePropertyName(name);
        json.WriteStartObject();
        foreach (var (k, v) in map.OrderBy(kv => kv.Key, StringComparer.Ordinal)) json.WriteString(k, v);
        json.WriteEndObject();
    }

    public static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string>? values)
    {
        if (values is null) return;
        json.WritePropertyName(name);
        json.WriteStartArray();
        foreach (var v in values) json.WriteStringValue(v);
        json.WriteEndArray();
    }

    public static JsonObject Parse(ReadOnlySpan<byte> bytes, string where)
    {
        try
        {
            return JsonNode.Parse(bytes)?.AsObject() ?? throw new FormatException("empty document");
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new VerificationException($"{where}: not valid JSON ({e.Message})", e);
        }
    }

    public static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
