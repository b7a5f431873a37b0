using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Recipes;
using Bootstrapper.Engine;
using Bootstrapper.Engine.Families.Debian.Repository;
using Bootstrapper.Engine.Pipeline;
using Bootstrapper.Tests.Fixtures;

namespace Bootstrapper.Tests.Scenarios.Rebuilds;

/// <summary>
/// The keyrings are read while the mirrors are probed; a keyring that cannot be read must still be what the plan
/// reports, not the mirror probes it made fail.
/// </summary>
public sealed class PlanKeyringTests : IDisposable
{
    private readonly RebuildWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    private BuildOptions Options(string hostUrl, string? mirror, string keyring)
    {
        var host = Path.Combine(_ws.Root, "host");
        Directory.CreateDirectory(Path.Combine(host, "etc/apt/sources.list.d"));
        File.WriteAllText(Path.Combine(host, "etc/apt/sources.list.d/fixture.sources"),
            $"Types: deb\nURIs: {hostUrl}\nSuites: bookworm\nComponents: main\n");
        return new BuildOptions
        {
            HostRoot = host,
            MirrorOverride = mirror,
            CacheDirectory = _ws.Cache(),
            ExtraKeyrings = [keyring],
            Environment = new Dictionary<string, string>(),
        };
    }

    [Theory]
    [InlineData(false)] // mirror from the host's sources: every probe fails for want of the keyring
    [InlineData(true)]  // --mirror: nothing is probed
    public async Task An_unreadable_keyring_is_the_error_reported(bool overrideMirror)
    {
        using var server = new RepositoryServer(RebuildWorkspace.Repository());
        var recipe = RecipeLoader.Load(_ws.RecipePath);
        var broken = Path.Combine(_ws.Root, "broken.gpg");
        File.WriteAllText(broken, "not an OpenPGP keyring\n");
        var expected = Assert.ThrowsAny<BootstrapException>(() => RepositoryKeyring.Load([broken])).Message;

        var e = await Assert.ThrowsAnyAsync<BootstrapException>(() => ImageBuilder.PlanAsync(recipe,
            Options(server.BaseUrl, overrideMirror ? server.BaseUrl : null, broken), NullReporter.Instance, default));
        Assert.Equal(expected, e.Message);
    }
}
