using System.Text.Json.Nodes;
using Bootstrapper.Core.Errors;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Bootstrapper.Core.Recipes;

/// <summary>
/// Turns a TOML document into a JSON tree (for schema validation) plus a map from JSON pointer to source line.
/// </summary>
/// <remarks>
/// We walk Tomlyn's syntax tree ourselves instead of deserializing straight into a model because the
/// deserializer silently merges a table defined twice and lets `[[a]]` replace `a = [...]` (findings.md), and its
/// type errors carry no key path. Here every duplicate is an error and every value keeps its line.
/// </remarks>
internal sealed class TomlToJson
{
    private readonly string _file;
    private readonly Dictionary<string, int> _lines = new(StringComparer.Ordinal);

    private TomlToJson(string file) => _file = file;

    /// <summary>Line (1-based) of the value at a JSON pointer, or of its nearest ancestor that has one.</summary>
    public sealed record Result(JsonObject Root, IReadOnlyDictionary<string, int> Lines);

    public static Result Convert(string text, string file)
    {
        var doc = SyntaxParser.Parse(text, file, validate: true);
        if (doc.HasErrors)
        {
            var first = doc.Diagnostics.First(d => d.Kind == DiagnosticMessageKind.Error);
            throw new RecipeException(
                $"{file}:{first.Span.Start.Line + 1}:{first.Span.Start.Column + 1}: {Reword(first.Message)}");
        }
        var conv = new TomlToJson(file);
        var root = new JsonObject();
        conv._lines[""] = 1;
        foreach (var kv in doc.KeyValues)
            conv.AddKeyValue(root, "", kv);
        foreach (var table in doc.Tables)
            conv.AddTable(root, table);
        return new Result(root, conv._lines);
    }

    /// <summary>Tomlyn quotes the whole earlier definition in its duplicate message; a line number is enough.</summary>
    private static string Reword(string message)
    {
        var m = System.Text.RegularExpressions.Regex.Match(message,
            @"^The key `(?<key>[^`]+)` is already defined at \((?<line>\d+),\d+\)");
        return m.Success
            ? $"'{m.Groups["key"].Value}' is defined more than once (first at line {m.Groups["line"].Value}); define each key and table once"
            : "TOML syntax error: " + message;
    }

    private void AddTable(JsonObject root, TableSyntaxBase table)
    {
        var keys = KeyParts(table.Name!);
        int line = LineOf(table);
        JsonObject parent = root;
        string pointer = "";
        for (int i = 0; i < keys.Count - 1; i++)
            (parent, pointer) = Descend(parent, pointer, keys[i], line);

        string last = keys[^1];
        string here = pointer + "/" + Escape(last);
        JsonObject target;
        if (table is TableArraySyntax)
        {
            if (parent[last] is null)
            {
                parent[last] = new JsonArray();
                _lines[here] = line;
            }
            else if (parent[last] is not JsonArray || _arraysFromInline.Contains(here))
                throw Duplicate(here, line);
            var array = (JsonArray)parent[last]!;
            target = [];
            array.Add(target);
            here = here + "/" + (array.Count - 1);
        }
        else
        {
            if (parent[last] is not null && !_implicitTables.Contains(here))
                throw Duplicate(here, line);
            if (parent[last] is JsonObject existing)
            {
                _implicitTables.Remove(here);
                target = existing;
            }
            else if (parent[last] is null)
            {
                target = [];
                parent[last] = target;
            }
            else throw Duplicate(here, line);
        }
        _lines[here] = line;
        foreach (var kv in table.Items)
            AddKeyValue(target, here, kv);
    }

    private readonly HashSet<string> _implicitTables = new(StringComparer.Ordinal);
    private readonly HashSet<string> _arraysFromInline = new(StringComparer.Ordinal);

    private (JsonObject, string) Descend(JsonObject parent, string pointer, string key, int line)
    {
        string here = pointer + "/" + Escape(key);
        switch (parent[key])
        {
            case null:
                var created = new JsonObject();
                parent[key] = created;
                _implicitTables.Add(here);
                _lines[here] = line;
                return (created, here);
            case JsonObject obj:
                return (obj, here);
            case JsonArray arr when arr.Count > 0 && arr[^1] is JsonObject lastObj && !_arraysFromInline.Contains(here):
                // [a.b] after [[a]] continues the last element of the array of tables.
                return (lastObj, here + "/" + (arr.Count - 1));
            default:
                throw Duplicate(here, line);
        }
    }

    private void AddKeyValue(JsonObject target, string pointer, KeyValueSyntax kv)
    {
        var keys = KeyParts(kv.Key!);
        int line = LineOf(kv);
        for (int i = 0; i < keys.Count - 1; i++)
            (target, pointer) = Descend(target, pointer, keys[i], line);
        string last = keys[^1];
        string here = pointer + "/" + Escape(last);
        if (target.ContainsKey(last))
            throw Duplicate(here, line);
        _lines[here] = line;
        target[last] = ToNode(kv.Value!, here);
    }

    private JsonNode? ToNode(ValueSyntax value, string pointer)
    {
        switch (value)
        {
            case StringValueSyntax s: return JsonValue.Create(s.Value);
            case IntegerValueSyntax i: return JsonValue.Create(i.Value);
            case BooleanValueSyntax b: return JsonValue.Create(b.Value);
            case FloatValueSyntax f: return JsonValue.Create(f.Value);
            case DateTimeValueSyntax d: return JsonValue.Create(d.Value.ToString());
            case ArraySyntax a:
                {
                    _arraysFromInline.Add(pointer);
                    var arr = new JsonArray();
                    int n = 0;
                    foreach (var item in a.Items)
                    {
                        string itemPointer = pointer + "/" + n++;
                        _lines[itemPointer] = LineOf(item);
                        arr.Add(ToNode(item.Value!, itemPointer));
                    }
                    return arr;
                }
            case InlineTableSyntax t:
                {
                    var obj = new JsonObject();
                    foreach (var item in t.Items)
                        AddKeyValue(obj, pointer, item.KeyValue!);
                    return obj;
                }
            default:
                throw new RecipeException($"{_file}:{LineOf(value)}: unsupported TOML value at '{ToKeyPath(pointer)}'");
        }
    }

    private static List<string> KeyParts(KeySyntax key)
    {
        var parts = new List<string> { KeyText(key.Key!) };
        foreach (var dotted in key.DotKeys)
            parts.Add(KeyText(dotted.Key!));
        return parts;
    }

    private static string KeyText(BareKeyOrStringValueSyntax k) => k switch
    {
        BareKeySyntax bare => bare.Key!.Text!,
        StringValueSyntax str => str.Value!,
        _ => k.ToString()!,
    };

    private static int LineOf(SyntaxNode node) => node.Span.Start.Line + 1;

    private RecipeException Duplicate(string pointer, int line) =>
        new($"{_file}:{line}: '{ToKeyPath(pointer)}' is defined more than once; define each key and table once");

    internal static string Escape(string key) => key.Replace("~", "~0").Replace("/", "~1");

    /// <summary>JSON pointer "/sources/0/suite" to the TOML-ish key path "sources[0].suite".</summary>
    internal static string ToKeyPath(string pointer)
    {
        if (pointer.Length == 0) return "(top level)";
        var sb = new System.Text.StringBuilder();
        foreach (var raw in pointer.Split('/').Skip(1))
        {
            var part = raw.Replace("~1", "/").Replace("~0", "~");
            if (part.Length > 0 && part.All(char.IsAsciiDigit)) sb.Append('[').Append(part).Append(']');
            else
            {
                if (sb.Length > 0) sb.Append('.');
                sb.Append(part);
            }
        }
        return sb.ToString();
    }
}
