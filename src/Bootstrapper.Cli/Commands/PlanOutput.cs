using System.Text.Json;
using Bootstrapper.Core;
using Bootstrapper.Core.Planning;

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

    /// <summary>
    /// <see cref="JsonOutput.Readable"/> but with the default encoder: plan --json has always escaped '+' as \u002B
    /// (as the manifest does); kept so that programs that compare its output see no change.
    /// </summary>
    private static readonly JsonWriterOptions Escaped = JsonOutput.Readable with { Encoder = null };

    public static string ToJson(Plan plan) => JsonOutput.Document(w =>
    {
        w.WriteStartObject();
        w.WriteString("recipe", plan.Recipe.Name);
        w.WriteString("family", plan.Recipe.Family.ToString().ToLowerInvariant());
        w.WriteString("architecture", plan.Recipe.Architecture);
        w.WriteStartArray("packages");
        foreach (var p in plan.Packages.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("name", p.Name);
            w.WriteString("version", p.Version);
            w.WriteString("architecture", p.Architecture);
            w.WriteNumber("size", p.Size);
            w.WriteString("sha256", p.Sha256);
            w.WriteString("filename", p.Filename);
            w.WriteString("repository", p.RepositoryUrl);
            w.WriteString("reason", p.Reason);
            // Facts only some families' indices give: present when known.
            if (p.Source is not null) w.WriteString("source", p.Source);
            if (p.InstalledSizeKiB is { } kib) w.WriteNumber("installedSizeKiB", kib);
            if (p.IndexChecksum is not null) w.WriteString("indexChecksum", p.IndexChecksum);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("indices");
        foreach (var i in plan.Indices)
        {
            w.WriteStartObject();
            w.WriteString("url", i.Url);
            w.WriteString("suite", i.Suite);
            w.WriteString("date", i.Date);
            w.WriteStartArray("signedBy");
            foreach (var key in i.SignedBy) w.WriteStringValue(key);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartObject("totals");
        w.WriteNumber("packages", plan.Packages.Count);
        w.WriteNumber("size", plan.TotalSize);
        w.WriteEndObject();
        w.WriteEndObject();
    }, Escaped);
}
