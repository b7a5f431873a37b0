using System.Text;
using System.Text.Json.Nodes;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Core.Oci;

/// <summary>
/// Credentials in the containers-auth.json(5) / docker config.json form: {"auths": {"KEY": {"auth": base64(user:pass)}}},
/// where KEY is a registry (host[:port], optionally with a scheme) or a registry plus a repository path, and the
/// longest key that matches the image wins (containers-auth.json(5)).
/// </summary>
internal static class RegistryAuthFile
{
    public sealed record Credentials(string Username, string Password);

    /// <returns>The credentials for the reference, or null when the file has none for it.</returns>
    public static Credentials? Find(string json, string fileName, ImageReference reference)
    {
        JsonObject? auths;
        try
        {
            auths = JsonNode.Parse(json)?["auths"] as JsonObject;
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new RecipeException($"{fileName}: not a valid auth file ({e.Message}); fix or remove it", e);
        }
        if (auths is null) return null;
        var byKey = auths.ToDictionary(a => Normalize(a.Key), a => a.Value, StringComparer.Ordinal);
        // repository namespaces from the most specific: host/a/b, host/a, host
        var path = reference.Registry + "/" + reference.Repository;
        for (var key = path; ; key = key[..key.LastIndexOf('/')])
        {
            if (byKey.TryGetValue(key, out var entry) && entry?["auth"] is JsonValue auth)
                return Decode((string)auth!, fileName, key);
            if (!key.Contains('/')) return null;
        }
    }

    /// <summary>Docker writes "https://host/v1/" style keys; containers write "host" or "host/repo".</summary>
    private static string Normalize(string key)
    {
        if (key.StartsWith("https://", StringComparison.Ordinal)) key = key["https://".Length..];
        else if (key.StartsWith("http://", StringComparison.Ordinal)) key = key["http://".Length..];
        key = key.TrimEnd('/');
        foreach (var suffix in new[] { "/v1", "/v2" })
            if (key.EndsWith(suffix, StringComparison.Ordinal)) key = key[..^suffix.Length];
        return key;
    }

    private static Credentials Decode(string auth, string fileName, string key)
    {
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Convert.FromBase64String(auth));
        }
        catch (FormatException e)
        {
            throw new RecipeException($"{fileName}: the \"auth\" of '{key}' is not base64 of user:password", e);
        }
        var colon = text.IndexOf(':');
        if (colon <= 0)
            throw new RecipeException($"{fileName}: the \"auth\" of '{key}' is not base64 of user:password");
        return new Credentials(text[..colon], text[(colon + 1)..]);
    }
}
