namespace Bootstrapper.Testing;

/// <summary>The repository's top folder (where Bootstrapper.sln is), found from the test assembly's location.</summary>
public static class RepoRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Bootstrapper.sln")))
                return dir.FullName;
        throw new InvalidOperationException("Bootstrapper.sln not found above " + AppContext.BaseDirectory);
    }
}
