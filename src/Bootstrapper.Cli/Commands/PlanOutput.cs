using System.Text.Json.Nodes;
using System.Text.Json;
using Bootstrapper.Core.Planning;
using Bootstrapper.Core;

namespace Bootstrapper.Cli.Commands;

/// <summary>How a plan is printed: an aligned table for people, JSON for programs (README "Plan JSON").</summary>
internal static class PlanOutput
{
    public static void WriteTable(Plan plan, TextWriter w)
    {
        var rows = plan.Packages.OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        int nameW = Math.Max(4, rows.Max(p => p.Name.Length));
        int verW = Math.Max(7, rows.Max(p => p.Version.Length));
        int archW = Math.Max(4, rows.Max(p => p.Architecture.Length));
        w.WriteLine($"{"NAME".PadRight(nameW)}  {"VERSION".PadRight(verW)}  {"ARCH".PadRight(archW)}  {"SIZE",9}  WHY");
        foreach (var p in rows)
            w.WriteLine($"{p.Name.PadRight(nameW)}  {p.Version.PadRight(verW)}  {p.Architecture.PadRight(archW)}  {Kib(p.Size),9}  {p.Reason}");
        w.WriteLine();
        w.WriteLine($"{Plural.Count(rows.Count, "package")}, {plan.TotalSize / 1048576.0:0.0} MiB to download, from:");
        foreach (var i in plan.Indices)
            w.WriteLine($"  {i.Url} ({i.Date}; signed by {string.Join(", ", i.SignedBy)})");
    }

    private static string Kib(long bytes) => $"{(bytes + 1023) / 1024} KiB";

    public static string ToJson(Plan plan)
    {
        var packages = new JsonArray();
        foreach (var p in plan.Packages.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            var o = new JsonObject
            {
                ["name"] = p.Name,
                ["version"] = p.Version,
                ["architecture"] = p.Architecture,
                ["size"] = p.Size,
                ["sha256"] = p.Sha256,
                ["filename"] = p.Filename,
                ["repository"] = p.RepositoryUrl,
                ["reason"] = p.Reason,
            };
            // Facts only some families' indices give: present when known.
            if (p.Source is not null) o["source"] = p.Source;
            if (p.InstalledSizeKiB is { } kib) o["installedSizeKiB"] = kib;
            if (p.IndexChecksum is not null) o["indexChecksum"] = p.IndexChecksum;
            packages.Add(o);
        }
        var indices = new JsonArray();
        foreach (var i in plan.Indices)
            indices.Add(new JsonObject
            {
                ["url"] = i.Url,
                ["suite"] = i.Suite,
                ["date"] = i.Date,
                ["signedBy"] = new JsonArray(i.SignedBy.Select(s => (JsonNode)s).ToArray()),
            });
        var root = new JsonObject
        {
            ["recipe"] = plan.Recipe.Name,
            ["family"] = plan.Recipe.Family.ToString().ToLowerInvariant(),
            ["architecture"] = plan.Recipe.Architecture,
            ["packages"] = packages,
            ["indices"] = indices,
            ["totals"] = new JsonObject { ["packages"] = plan.Packages.Count, ["size"] = plan.TotalSize },
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }
}
