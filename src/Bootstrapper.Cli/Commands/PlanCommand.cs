using System.CommandLine;
using Bootstrapper.Cli.Console;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Recipes;
using Bootstrapper.Engine;

namespace Bootstrapper.Cli.Commands;

/// <summary>`bootstrap plan RECIPE [--json]`: verify the indices and print the resolved package set.</summary>
internal static class PlanCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var common = new CommonOptions();
        var json = new Option<bool>("--json") { Description = "Print the plan as JSON (shape in README \"Plan JSON\")." };
        var cmd = new Command("plan", "Fetch and verify the recipe's indices, resolve the package set, and print it. Downloads no package.");
        common.AddTo(cmd);
        cmd.Add(json);
        cmd.SetAction(async (r, ct) =>
        {
            var recipePath = r.GetValue(common.Recipe)!;
            var recipes = common.PerArchitecture(r, RecipeLoader.Load(recipePath));
            if (recipes.Count > 1 && r.GetValue(json))
                throw new RecipeException($"--json prints one plan; {recipePath} lists {recipes.Count} architectures (choose one with --architecture)");
            var options = common.OptionsOf(r);
            var verbosity = common.VerbosityOf(r);
            foreach (var recipe in recipes)
            {
                var plan = await LiveReporter.RunAsync(verbosity, stderr, reporter => ImageBuilder.PlanAsync(recipe, options, reporter, ct));
                if (r.GetValue(json)) stdout.Write(PlanOutput.ToJson(plan));
                else
                {
                    if (recipes.Count > 1) stdout.WriteLine($"# {recipe.Architecture}");
                    PlanOutput.WriteTable(plan, stdout);
                }
            }
            return 0;
        });
        return cmd;
    }
}
