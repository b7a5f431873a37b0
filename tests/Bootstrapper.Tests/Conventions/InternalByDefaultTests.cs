using System.Reflection;

namespace Bootstrapper.Tests.Conventions;

/// <summary>
/// The product is one executable: no assembly of it is a library for others, so every type is internal
/// (InternalsVisibleTo lets Engine, the CLI and the tests in). A public type is an accident that widens what the
/// analyzers treat as API; scripts/internalize.sh turns any that come back internal again.
/// </summary>
public sealed class InternalByDefaultTests
{
    [Theory]
    [InlineData("Bootstrapper.Core")]
    [InlineData("Bootstrapper.Engine")]
    [InlineData("bootstrap")]
    public void No_assembly_of_the_tool_exports_a_type(string assembly)
    {
        var exported = Assembly.Load(assembly).GetExportedTypes().Select(t => t.FullName).Order(StringComparer.Ordinal);

        Assert.Equal("", string.Join("\n", exported));
    }
}
