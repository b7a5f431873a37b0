using System.Runtime.CompilerServices;

namespace Bootstrapper.Tests.Fixtures.Alpine;

internal static class TestData
{
    /// <summary>Files under Fixtures/Alpine/Data, found next to this source file (tests run from the source tree).</summary>
    public static string PathOf(string name) => Path.Combine(Path.GetDirectoryName(Here())!, "Data", name);

    // The path of this file, not of the caller's: the tests that read the data live in other folders.
    private static string Here([CallerFilePath] string path = "") => path;
}
