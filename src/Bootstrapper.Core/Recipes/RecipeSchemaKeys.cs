using System.Text.Json.Nodes;

namespace Bootstrapper.Core.Recipes;

/// <summary>Which keys the schema allows at a place in the document: for "did you mean" style messages.</summary>
internal static class RecipeSchemaKeys
{
    private static readonly Lazy<JsonObject> Schema = new(() => JsonNode.Parse(RecipeSchema.Text)!.AsObject());

    public static IReadOnlyList<string> AllowedAt(string pointer) =>
        Deref(At(pointer))?["properties"] is JsonObject props ? props.Select(p => p.Key).ToList() : [];

    public static IReadOnlyList<string> EnumAt(string pointer) =>
        Deref(At(pointer))?["enum"] is JsonArray values ? values.Select(v => (string)v!).ToList() : [];

    /// <param name="schemaPath">Where the check failed in the schema: a pattern that only an if/then rule sets is found there.</param>
    public static string PatternAt(string pointer, string schemaPath = "") =>
        (string?)Deref(At(pointer))?["pattern"] ?? InSchema(schemaPath) switch
        {
            JsonObject o => (string?)o["pattern"],
            JsonValue v => (string?)v,
            _ => null,
        } ?? "(see schema)";

    /// <summary>
    /// The schema node an evaluation path names (without $ref steps), e.g. a pattern only an if/then rule sets.
    /// The validator names an array's item schema "items/items" (the keyword, then the item): one step here.
    /// </summary>
    private static JsonNode? InSchema(string path)
    {
        JsonNode? node = Schema.Value;
        string? previous = null;
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "items" && previous == "items") continue;
            node = node is JsonArray a && int.TryParse(part, out var i) && i < a.Count ? a[i] : (node as JsonObject)?[part];
            previous = part;
        }
        return node;
    }

    /// <summary>The subschema that describes the value at a JSON pointer of a recipe document.</summary>
    private static JsonNode? At(string pointer)
    {
        JsonNode? schema = Schema.Value;
        foreach (var part in pointer.Split('/').Skip(1))
        {
            schema = Deref(schema);
            if (schema is null) return null;
            if (part.All(char.IsAsciiDigit) && schema["items"] is { } items) schema = items;
            else schema = schema["properties"]?[part];
        }
        return schema;
    }

    private static JsonNode? Deref(JsonNode? node)
    {
        if (node?["$ref"] is JsonValue r && ((string)r!).StartsWith("#/$defs/", StringComparison.Ordinal))
            return Schema.Value["$defs"]?[((string)r!)["#/$defs/".Length..]];
        return node;
    }
}
