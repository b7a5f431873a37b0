using System.Security.Cryptography;

namespace Bootstrapper.EndToEnd.Build;

/// <summary>The built `bootstrap` as a separate process (for runs under `unshare --net`), and image hashes.</summary>
public static class BuiltCli
{
    /// <summary>The built `bootstrap` of the same configuration as this test assembly (apphost, else via dotnet).</summary>
    public static string[] Command()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name; // bin/<config>/net10.0
        var apphost = Path.Combine(RepoRoot.Path, "src", "Bootstrapper.Cli", "bin", configuration, "net10.0", "bootstrap");
        if (File.Exists(apphost)) return [apphost];
        var dll = Path.Combine(AppContext.BaseDirectory, "bootstrap.dll");
        Assert.True(File.Exists(dll), $"neither {apphost} nor {dll} exists; build src/Bootstrapper.Cli first");
        return ["dotnet", dll];
    }

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
