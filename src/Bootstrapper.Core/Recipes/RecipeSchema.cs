using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Bootstrapper.Core.Recipes;

/// <summary>recipes.schema.json (embedded from the repository root) and what it says about a recipe document.</summary>
internal static class RecipeSchema
{
    private static readonly Lazy<JsonSchema> Schema = new(() =>
    {
        using var stream = typeof(RecipeSchema).Assembly.GetManifestResourceStream("recipes.schema.json")
            ?? throw new InvalidOperationException("recipes.schema.json is not embedded in Bootstrapper.Core");
        using var reader = new StreamReader(stream);
        return JsonSchema.FromText(reader.ReadToEnd());
    });

    /// <summary>The schema text, for `bootstrap schema`.</summary>
    public static string Text
    {
        get
        {
            using var stream = typeof(RecipeSchema).Assembly.GetManifestResourceStream("recipes.schema.json")!;
            return new StreamReader(stream).ReadToEnd();
        }
    }

    /// <summary>One schema violation: where (JSON pointer into the document) and what.</summary>
    /// <param name="Keyword">The schema keyword that failed ("required", "enum", "type", "false" for a key the
    /// schema does not allow...).</param>
    /// <param name="SchemaPath">Where in the schema it failed (tells an "if/then" rule from a plain one).</param>
    public sealed record Violation(string Pointer, string Keyword, string Message, string SchemaPath);

    public static IReadOnlyList<Violation> Validate(JsonObject document)
    {
        var element = JsonSerializer.SerializeToElement(document);
        var result = Schema.Value.Evaluate(element, new EvaluationOptions
        {
            OutputFormat = OutputFormat.List,
            RequireFormatValidation = true,
        });
        if (result.IsValid) return [];
        var violations = new List<Violation>();
        foreach (var detail in result.Details ?? [])
        {
            // Failures inside an "if" are how the condition evaluates to false, not problems of the recipe.
            if (detail.Errors is null || detail.EvaluationPath.ToString().Contains("/if", StringComparison.Ordinal)) continue;
            foreach (var (keyword, message) in detail.Errors)
                violations.Add(new Violation(detail.InstanceLocation.ToString(), Keyword(keyword, message), message,
                    detail.EvaluationPath.ToString()));
        }
        if (violations.Count == 0 && result.Errors is not null)
            foreach (var (keyword, message) in result.Errors)
                violations.Add(new Violation(result.InstanceLocation.ToString(), Keyword(keyword, message), message,
                    result.EvaluationPath.ToString()));
        // Most specific first: a deeper pointer says more than its parent's "if/then failed" summary.
        return violations
            .OrderByDescending(v => v.Pointer.Count(c => c == '/'))
            .ThenBy(v => v.Pointer, StringComparer.Ordinal)
            .ToList();
    }

    private static string Keyword(string keyword, string message) =>
        // JsonSchema.Net reports additionalProperties:false / "variant": false as the false schema failing.
        keyword == "" || message.Contains("false schema", StringComparison.OrdinalIgnoreCase) ? "false" : keyword;
}
