using System.Runtime.CompilerServices;
using Bootstrapper.Engine.Os.Processes;

namespace Bootstrapper.Tests.Fixtures;

/// <summary>A fact that needs root (chown to another user, running as another user); CI runs the tests as root.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        if (!Privileges.IsRoot) Skip = NotRoot;
    }

    internal const string NotRoot = "needs root (chown to uid 65534, setpriv, root-owned directories): run the tests as root, as CI does";
}

/// <summary>A theory that needs root; see <see cref="RootFactAttribute"/>.</summary>
public sealed class RootTheoryAttribute : TheoryAttribute
{
    public RootTheoryAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        if (!Privileges.IsRoot) Skip = RootFactAttribute.NotRoot;
    }
}
