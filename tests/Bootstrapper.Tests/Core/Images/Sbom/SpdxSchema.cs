using System.Text.Json;
using Bootstrapper.Core.Images.Sbom;
using Json.Schema;

namespace Bootstrapper.Tests.Core.Images.Sbom;

/// <summary>The official SPDX 2.3 JSON schema (tests/data/spdx, draft-07) and the rules of the specification that
/// the schema leaves out (SPDXID characters, licence expressions, date format, declared LicenseRefs).</summary>
internal static class SpdxSchema
{
    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromText(File.ReadAllText(Path.Combine(RepoRoot.Path, "tests", "data", "spdx", "spdx-schema.json"))));

    /// <summary>Schema violations as "pointer: message" lines (empty when valid).</summary>
    public static IReadOnlyList<string> Violations(string json) => Violations(Schema.Value, json);

    /// <summary>Violations of any schema, as "pointer: message" lines (empty when valid).</summary>
    internal static IReadOnlyList<string> Violations(JsonSchema schema, string json)
    {
        using var doc = JsonDocument.Parse(json);
        var result = schema.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (result.IsValid) return [];
        var errors = (result.Details ?? [])
            .Where(d => d.Errors is not null)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}"))
            .ToList();
        return errors.Count > 0 ? errors : ["invalid (no details)"];
    }

    /// <summary>Checks the specification's rules that the schema does not encode; returns the problems found.</summary>
    public static IReadOnlyList<string> SpecProblems(string json)
    {
        var problems = new List<string>();
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var idPattern = new System.Text.RegularExpressions.Regex("^SPDXRef-[A-Za-z0-9.-]+$");
        var ids = new HashSet<string> { root.GetProperty("SPDXID").GetString()! };
        if (root.GetProperty("spdxVersion").GetString() != "SPDX-2.3") problems.Add("spdxVersion");
        if (root.GetProperty("dataLicense").GetString() != "CC0-1.0") problems.Add("dataLicense");
        if (!Uri.TryCreate(root.GetProperty("documentNamespace").GetString(), UriKind.Absolute, out var ns)
            || ns.Fragment.Length > 0)
            problems.Add("documentNamespace must be an absolute URI without '#'");
        var created = root.GetProperty("creationInfo").GetProperty("created").GetString()!;
        if (!DateTime.TryParseExact(created, "yyyy-MM-dd'T'HH:mm:ss'Z'", null, System.Globalization.DateTimeStyles.None, out _))
            problems.Add("created is not YYYY-MM-DDThh:mm:ssZ: " + created);
        var declaredRefs = root.TryGetProperty("hasExtractedLicensingInfos", out var infos)
            ? infos.EnumerateArray().Select(i => i.GetProperty("licenseId").GetString()!).ToHashSet()
            : [];
        foreach (var p in root.GetProperty("packages").EnumerateArray())
        {
            var id = p.GetProperty("SPDXID").GetString()!;
            if (!idPattern.IsMatch(id)) problems.Add("bad SPDXID " + id);
            if (!ids.Add(id)) problems.Add("duplicate SPDXID " + id);
            foreach (var field in new[] { "licenseDeclared", "licenseConcluded" })
            {
                var license = p.GetProperty(field).GetString()!;
                if (!SpdxLicense.TryNormalize(license, out var normal) || normal != license)
                    problems.Add($"{id}: {field} '{license}' is not a normalised SPDX expression");
                foreach (var reference in SpdxLicense.LicenseRefs(license))
                    if (!declaredRefs.Contains(reference)) problems.Add($"{id}: {reference} is not declared");
            }
        }
        foreach (var r in root.GetProperty("relationships").EnumerateArray())
            foreach (var end in new[] { "spdxElementId", "relatedSpdxElement" })
                if (!ids.Contains(r.GetProperty(end).GetString()!))
                    problems.Add("relationship to unknown element " + r.GetProperty(end).GetString());
        return problems;
    }
}
