using Json.Schema;

namespace Bootstrapper.Tests.Core.Images.Sbom;

/// <summary>The official CycloneDX 1.6 JSON schema (tests/data/cyclonedx, draft-07) with the two schemas it references.</summary>
internal static class CycloneDxSchema
{
    private static readonly Lazy<JsonSchema> Schema = new(() =>
    {
        var folder = Path.Combine(RepoRoot.Path, "tests", "data", "cyclonedx");
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        // The bom schema refers to these by file name, relative to its own $id.
        foreach (var name in new[] { "spdx.SNAPSHOT.schema.json", "jsf-0.82.SNAPSHOT.schema.json" })
            options.SchemaRegistry.Register(new Uri("http://cyclonedx.org/schema/" + name),
                JsonSchema.FromText(File.ReadAllText(Path.Combine(folder, name)), options));
        return JsonSchema.FromText(File.ReadAllText(Path.Combine(folder, "bom-1.6.SNAPSHOT.schema.json")), options);
    });

    /// <summary>Schema violations as "pointer: message" lines (empty when valid).</summary>
    public static IReadOnlyList<string> Violations(string json) => SpdxSchema.Violations(Schema.Value, json);
}
