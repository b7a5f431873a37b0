using Bootstrapper.Cli.Commands;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Tests.Cli.Commands;

/// <summary>`--help` of every command prints a usage line a user can follow (they used to start with "bootstrap &lt;recipe&gt;...").</summary>
public sealed class UsageLineTests
{
    [Theory]
    [InlineData(new string[0], "bootstrap [command] [options]")]
    [InlineData(new[] { "build" }, "bootstrap build <recipe>... [options]")]
    [InlineData(new[] { "plan" }, "bootstrap plan <recipe> [options]")]
    [InlineData(new[] { "schema" }, "bootstrap schema [options]")]
    [InlineData(new[] { "lock" }, "bootstrap lock <recipe> [options]")]
    [InlineData(new[] { "fetch" }, "bootstrap fetch <recipe> [options]")]
    [InlineData(new[] { "diff" }, "bootstrap diff <old> <new> [options]")]
    public async Task Help_prints_the_command_s_own_usage_line(string[] command, string usage)
    {
        var stdout = new StringWriter();
        var code = await CliApp.RunAsync([.. command, "--help"], stdout, new StringWriter());
        Assert.Equal(0, code);
        var lines = stdout.ToString().Split('\n');
        var at = Array.FindIndex(lines, l => l.TrimEnd() == "Usage:");
        Assert.True(at >= 0, stdout.ToString());
        // The program's name is that of the running executable: "bootstrap" for users, the test host here.
        Assert.Equal("  " + usage.Replace("bootstrap", System.CommandLine.RootCommand.ExecutableName), lines[at + 1].TrimEnd());
    }

    [Fact]
    public async Task A_recipe_without_a_command_is_built()
    {
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["any.toml", "--source-date-epoch", "-1"], new StringWriter(), stderr);
        Assert.Equal(ExitCodes.UsageOrRecipe, code);
        Assert.StartsWith("error: --source-date-epoch -1 is before 1970", stderr.ToString()); // build's own option check
    }

    [Fact]
    public async Task Following_the_schema_usage_line_works()
    {
        var stdout = new StringWriter();
        Assert.Equal(0, await CliApp.RunAsync(["schema"], stdout, new StringWriter()));
        Assert.Contains("\"$schema\"", stdout.ToString());
    }
}
