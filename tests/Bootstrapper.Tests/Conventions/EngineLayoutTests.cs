using System.Reflection;
using System.Text.RegularExpressions;
using Bootstrapper.Engine.Pipeline;

namespace Bootstrapper.Tests.Conventions;

/// <summary>
/// The engine's layers, as README "Architecture" draws them: the pipeline knows families only through
/// <see cref="IDistroFamily"/> and <see cref="FamilyPlan"/>; families use the pipeline's contracts but not its entry
/// points; the generic layers (archives, compression, streams, network, OS, output) know neither. A using directive
/// that crosses a line fails here, naming the file.
/// </summary>
public sealed partial class EngineLayoutTests
{
    /// <summary>Folder under src/Bootstrapper.Engine -> namespaces its files must not import.</summary>
    private static readonly (string Folder, string[] Forbidden)[] Rules =
    [
        ("Pipeline", ["Bootstrapper.Engine.Families"]),
        ("Archives", ["Bootstrapper.Engine.Families", "Bootstrapper.Engine.Pipeline", "Bootstrapper.Engine.Output", "Bootstrapper.Engine.Oci"]),
        ("Compression", ["Bootstrapper.Engine.Families", "Bootstrapper.Engine.Pipeline", "Bootstrapper.Engine.Archives"]),
        ("Streams", ["Bootstrapper.Engine"]),
        ("Net", ["Bootstrapper.Engine.Families", "Bootstrapper.Engine.Pipeline"]),
        ("Os", ["Bootstrapper.Engine.Families", "Bootstrapper.Engine.Pipeline", "Bootstrapper.Engine.Net"]),
        ("Output", ["Bootstrapper.Engine.Families", "Bootstrapper.Engine.Pipeline", "Bootstrapper.Engine.Oci"]),
        ("Oci", ["Bootstrapper.Engine.Families", "Bootstrapper.Engine.Pipeline"]),
        ("Sandbox", ["Bootstrapper.Engine.Families", "Bootstrapper.Engine.Pipeline"]),
        ("Rootless", ["Bootstrapper.Engine.Families", "Bootstrapper.Engine.Pipeline"]),
        ("Families/Alpine", ["Bootstrapper.Engine.Families.Debian"]),
        ("Families/Debian", ["Bootstrapper.Engine.Families.Alpine"]),
    ];

    [Fact]
    public void No_engine_file_imports_a_layer_its_folder_must_not_know()
    {
        var engine = Path.Combine(RepoRoot.Path, "src", "Bootstrapper.Engine");
        var crossings = new List<string>();
        foreach (var (folder, forbidden) in Rules)
        {
            var dir = Path.Combine(engine, folder);
            Assert.True(Directory.Exists(dir), $"{dir} is gone: update the rules with the layout");
            foreach (var file in Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                foreach (Match m in UsingOrQualified().Matches(File.ReadAllText(file)))
                {
                    var name = m.Groups["ns"].Value;
                    if (forbidden.Any(f => name == f || name.StartsWith(f + ".", StringComparison.Ordinal)))
                        crossings.Add($"{Path.GetRelativePath(RepoRoot.Path, file)}: {m.Value.Trim()}");
                }
        }
        Assert.True(crossings.Count == 0, "Layer crossings:\n" + string.Join("\n", crossings));
    }

    [Fact]
    public void Families_name_no_pipeline_entry_point_and_only_the_registry_names_a_family()
    {
        var engine = Path.Combine(RepoRoot.Path, "src", "Bootstrapper.Engine");
        var offenders = Directory.EnumerateFiles(Path.Combine(engine, "Families"), "*.cs", SearchOption.AllDirectories)
            .Where(f => Regex.IsMatch(File.ReadAllText(f), @"\b(BuildPipeline|ImageBuilder)\."))
            .Select(f => Path.GetRelativePath(RepoRoot.Path, f)).ToList();
        offenders.AddRange(Directory.EnumerateFiles(engine, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/Families/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal))
            .Where(f => Regex.IsMatch(File.ReadAllText(f), @"\bnew (DebianFamily|AlpineFamily)\b"))
            .Select(f => Path.GetRelativePath(RepoRoot.Path, f)));
        Assert.Empty(offenders);
    }

    /// <summary>
    /// A family object keeps nothing between phases (what a plan learned travels in its <see cref="FamilyPlan"/>),
    /// so one instance may serve any number of builds, at once too.
    /// </summary>
    [Fact]
    public void Family_objects_have_no_instance_fields()
    {
        var families = typeof(IDistroFamily).Assembly.GetTypes()
            .Where(t => typeof(IDistroFamily).IsAssignableFrom(t) && t is { IsInterface: false, IsAbstract: false }).ToList();
        Assert.Equal(["AlpineFamily", "DebianFamily"], families.Select(t => t.Name).Order(StringComparer.Ordinal));
        foreach (var family in families)
            Assert.Empty(family.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Select(f => $"{family.Name}.{f.Name}"));
    }

    [GeneratedRegex(@"^\s*using\s+(static\s+)?(?<ns>Bootstrapper\.[\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex UsingOrQualified();
}
