using System.CommandLine;
using Bootstrapper.Core.Recipes;

namespace Bootstrapper.Cli.Commands;

/// <summary>`bootstrap schema`: prints recipes.schema.json, the JSON schema recipes are checked against.</summary>
internal static class SchemaCommand
{
    public static Command Create(TextWriter stdout)
    {
        var cmd = new Command("schema", "Print the JSON schema (2020-12) that recipes are validated against.");
        cmd.SetAction(_ =>
        {
            stdout.Write(RecipeSchema.Text);
            return 0;
        });
        return cmd;
    }
}
