using System.Runtime.CompilerServices;

namespace Bootstrapper.Tests.Fixtures.Alpine;

internal static class TestData
{
    /// <summary>Files under Alpine/Data, found next to this source file (tests run from the source tree).</summary>
    public static string PathOf(string name, [CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "Data", name);
}
