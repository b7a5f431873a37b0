using Bootstrapper.Cli.Commands;
using Bootstrapper.Tests.Fixtures;

namespace Bootstrapper.Tests.Scenarios.Rebuilds;

/// <summary>
/// A temporary folder with a recipe for the signed fixture repository, and a way to run `bootstrap` in-process
/// against it. The recipe's own keyring holds an unrelated key, so the repository verifies only when the test passes
/// the fixture key with --keyring (<see cref="FixtureKeyring"/>): the keyring handling is exercised on every run.
/// </summary>
internal sealed class RebuildWorkspace : IDisposable
{
    public RebuildWorkspace()
    {
        Directory.CreateDirectory(Path.Combine(Root, "keys"));
        File.WriteAllBytes(Path.Combine(Root, "keys", "unrelated.gpg"), OtherKey.Value.PublicKeyringBytes);
        File.WriteAllBytes(FixtureKeyring, TestKey.Default.PublicKeyringBytes);
        File.WriteAllBytes(ArmouredFixtureKeyring, TestKey.Default.ArmouredPublicKey);
        File.WriteAllText(RecipePath, """
            name = "fixture"
            family = "debian"
            architecture = "amd64"
            keyrings = ["keys/unrelated.gpg"]

            [[sources]]
            suite = "bookworm"
            components = ["main"]

            [packages]
            variant = "essential"

            [output]
            path = "out/fixture.tar"
            """);
    }

    private static readonly Lazy<TestKey> OtherKey = new(() => TestKey.Generate("Unrelated <other@fixture.invalid>"));

    public string Root { get; } = Directory.CreateTempSubdirectory("rebuilds-").FullName;
    public string RecipePath => Path.Combine(Root, "fixture.toml");
    public string LockPath => Path.Combine(Root, "fixture.lock.json");
    public string FixtureKeyring => Path.Combine(Root, "fixture.gpg");
    public string ArmouredFixtureKeyring => Path.Combine(Root, "fixture.asc");
    public string Cache(string name = "cache") => Path.Combine(Root, name);

    /// <summary>The small minbase universe: two required packages, one depending on the other, and an optional one.</summary>
    public static SignedDebianRepository Repository(string baseFilesVersion = "12.4")
    {
        var repo = new SignedDebianRepository();
        repo.AddPackage("base-files", baseFilesVersion, System.Text.Encoding.UTF8.GetBytes($"base-files {baseFilesVersion} deb"),
            extraFields: "Essential: yes\nPriority: required\nDepends: libc6");
        repo.AddPackage("libc6", "2.36-9", "libc6 deb bytes"u8.ToArray(), extraFields: "Priority: required");
        repo.AddPackage("hello", "2.10-3", "hello deb bytes"u8.ToArray(), extraFields: "Priority: optional");
        return repo;
    }

    /// <summary>Runs `bootstrap ARGS` (quiet, except `diff`, which has no progress) and returns the exit code and output.</summary>
    public static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args[0] == "diff" ? args : [.. args, "-q"], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
