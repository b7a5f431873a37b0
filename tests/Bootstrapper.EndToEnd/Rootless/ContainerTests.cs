using System.Globalization;
using Bootstrapper.EndToEnd.Build;

namespace Bootstrapper.EndToEnd.Rootless;

/// <summary>
/// The build inside a podman container (our own bookworm image, the host's .NET and CLI mounted read-only): a
/// default container cannot give the install its sandbox, and the build says so before downloading; a privileged
/// one can.
/// </summary>
public sealed class ContainerTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("bootstrap-container-").FullName;
    private readonly string _tag = "localhost/bootstrap-container-e2e:" + Guid.NewGuid().ToString("N")[..12];

    public void Dispose()
    {
        Sh.Run("podman", "rmi", "-f", _tag);
        Directory.Delete(_work, recursive: true);
    }

    private async Task ImportImageAsync()
    {
        var image = Path.Combine(_work, "bookworm.tar");
        var log = new StringWriter();
        var code = await Bootstrapper.Cli.Commands.CliApp.RunAsync(
            [Path.Combine(RepoRoot.Path, "recipes/debian-bookworm.toml"), "-o", image, "--cache", BookwormImageFixture.CacheDir,
             "--source-date-epoch", BookwormImageFixture.Epoch.ToString(CultureInfo.InvariantCulture), "-q"], log, log);
        Assert.True(code == 0, log.ToString());
        Sh.Run("podman", "import", image, _tag).Ok("podman import");
    }

    private Sh.Result RunInContainer(params string[] podmanOptions)
    {
        var cli = Path.GetDirectoryName(Path.GetFullPath(BuiltCli.Command()[^1]));
        var lib = "/usr/lib/x86_64-linux-gnu";
        return Sh.Run("podman", ["run", "--rm", "--runtime", "runc", "--network=none", "--ulimit", "nofile=20000:20000",
            "--ulimit", "nproc=32768:32768", .. podmanOptions,
            "-v", "/usr/share/dotnet:/usr/share/dotnet:ro", "-v", cli + ":/cli:ro",
            "-v", Path.Combine(RepoRoot.Path, "recipes") + ":/recipes:ro",
            // .NET loads OpenSSL at start; a minbase image has none.
            "-v", $"{lib}/libssl.so.3:{lib}/libssl.so.3:ro", "-v", $"{lib}/libcrypto.so.3:{lib}/libcrypto.so.3:ro",
            _tag, "/usr/share/dotnet/dotnet", "/cli/bootstrap.dll", "/recipes/debian-bookworm.toml", "--offline",
            "--cache", "/tmp/cache"]);
    }

    [Fact]
    public async Task A_default_container_is_told_before_downloading_and_a_privileged_one_gets_its_sandbox()
    {
        if (!OperatingSystem.IsLinux() || System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture != System.Runtime.InteropServices.Architecture.X64)
            return;
        await ImportImageAsync();

        var plain = RunInContainer();
        Assert.Equal(6, plain.ExitCode);
        Assert.Contains("installing packages needs a sandbox", plain.Stderr);
        Assert.Contains("in a container, start it with --privileged", plain.Stderr);
        Assert.DoesNotContain("plan:", plain.Stderr);

        // Privileged, the sandbox check passes; offline with an empty cache no mirror can serve, so the build then
        // stops at the plan (exit 5: missing from the cache when offline).
        var privileged = RunInContainer("--privileged");
        Assert.DoesNotContain("needs a sandbox", privileged.Stderr);
        Assert.Contains("plan: verifying", privileged.Stderr);
        Assert.True(privileged.ExitCode == 5 && privileged.Stderr.Contains("no mirror", StringComparison.Ordinal), privileged.Stderr);
    }
}
