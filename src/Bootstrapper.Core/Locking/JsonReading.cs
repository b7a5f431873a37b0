using System.Text.Json;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Core.Locking;

/// <summary>
/// A JSON value with the path that leads to it ("packages[3]"), so that every complaint about a hand-edited file can
/// say exactly where the problem is. Errors are <see cref="RecipeException"/>s: a lock file is user input, like a
/// recipe.
/// </summary>
internal readonly struct JsonReading(JsonElement element, string path, string sourceName)
{
    public string Path => path;

    public RecipeException Error(string key, string problem) =>
        new($"{sourceName}: {Join(key)}: {problem}.");

    public RecipeException ErrorHere(string problem) =>
        new($"{sourceName}: {(path == "" ? "the document" : path)}: {problem}.");

    /// <summary>Rejects keys other than these: in a lock file an unknown key is a typo or a file from elsewhere.</summary>
    public void OnlyKeys(params string[] keys)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw ErrorHere($"expected an object, got {Describe(element)}");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (System.Array.IndexOf(keys, property.Name) < 0)
                throw Error(property.Name, $"unknown key (expected one of: {string.Join(", ", keys)})");
            // JSON parsers disagree on which of two equal keys wins; a badly merged file must not pick one silently.
            if (!seen.Add(property.Name)) throw Error(property.Name, "appears twice in the same object");
        }
    }

    public string String(string key) =>
        OptionalString(key) ?? throw Error(key, "missing");

    public string? OptionalString(string key)
    {
        if (!element.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.String)
            throw Error(key, $"expected a string, got {Describe(value)}");
        var text = value.GetString()!;
        if (text.Length == 0) throw Error(key, "must not be empty");
        return text;
    }

    public string StringValue()
    {
        if (element.ValueKind != JsonValueKind.String || element.GetString()!.Length == 0)
            throw ErrorHere($"expected a non-empty string, got {Describe(element)}");
        return element.GetString()!;
    }

    public long Long(string key)
    {
        if (!element.TryGetProperty(key, out var value)) throw Error(key, "missing");
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
            throw Error(key, $"expected a whole number, got {Describe(value)}");
        return number;
    }

    public int Int(string key)
    {
        var number = Long(key);
        if (number is < int.MinValue or > int.MaxValue) throw Error(key, $"{number} is out of range");
        return (int)number;
    }

    public IEnumerable<JsonReading> Array(string key)
    {
        if (!element.TryGetProperty(key, out var value)) throw Error(key, "missing");
        if (value.ValueKind != JsonValueKind.Array)
            throw Error(key, $"expected an array, got {Describe(value)}");
        var prefix = Join(key);
        var source = sourceName;
        return value.EnumerateArray().Select((item, index) => new JsonReading(item, $"{prefix}[{index}]", source)).ToList();
    }

    private string Join(string key) => path == "" ? key : $"{path}.{key}";

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{value.GetString()}\"",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        _ => "an object",
    };
}
