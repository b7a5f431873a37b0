using System.Text;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Oci;
using Bootstrapper.Engine.Oci.Registry;

namespace Bootstrapper.Tests.Engine.Oci.Registry;

public sealed class RegistryAuthTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("auth-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Auth(string user, string password) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    private string File(string relative, string json)
    {
        var path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void The_most_specific_key_wins_and_docker_style_keys_match()
    {
        var json = "{\"auths\": {" +
            $"\"registry.internal\": {{\"auth\": \"{Auth("host", "1")}\"}}, " +
            $"\"registry.internal/base\": {{\"auth\": \"{Auth("ns", "2")}\"}}, " +
            $"\"https://other.internal:5000/v1/\": {{\"auth\": \"{Auth("docker", "3")}\"}}}}}}";
        Assert.Equal(new("ns", "2"), RegistryAuthFile.Find(json, "f", ImageReference.Parse("registry.internal/base/bookworm:1")));
        Assert.Equal(new("host", "1"), RegistryAuthFile.Find(json, "f", ImageReference.Parse("registry.internal/tools/x")));
        Assert.Equal(new("docker", "3"), RegistryAuthFile.Find(json, "f", ImageReference.Parse("other.internal:5000/x:y")));
        Assert.Null(RegistryAuthFile.Find(json, "f", ImageReference.Parse("third.internal/x")));
    }

    [Fact]
    public void Files_are_searched_in_the_containers_order()
    {
        var reference = ImageReference.Parse("registry.internal/base/t:1");
        var entry = (string user) => $"{{\"auths\": {{\"registry.internal\": {{\"auth\": \"{Auth(user, "p")}\"}}}}}}";
        var env = new Dictionary<string, string>
        {
            ["REGISTRY_AUTH_FILE"] = Path.Combine(_dir, "absent.json"),
            ["XDG_RUNTIME_DIR"] = Path.Combine(_dir, "run"),
            ["HOME"] = Path.Combine(_dir, "home"),
        };
        File("home/.docker/config.json", entry("docker"));
        Assert.Equal("docker", RegistryCredentialFiles.Find(reference, null, env).Credentials!.Username);
        File("run/containers/auth.json", entry("podman"));
        Assert.Equal("podman", RegistryCredentialFiles.Find(reference, null, env).Credentials!.Username);
        File("absent.json", entry("env"));
        Assert.Equal("env", RegistryCredentialFiles.Find(reference, null, env).Credentials!.Username);
        var given = File("given.json", entry("given"));
        var (credentials, searched) = RegistryCredentialFiles.Find(reference, given, env);
        Assert.Equal("given", credentials!.Username);
        Assert.Equal([given], searched);
        Assert.Equal(
            [Path.Combine(_dir, "absent.json"), Path.Combine(_dir, "run/containers/auth.json"), Path.Combine(_dir, "home/.docker/config.json")],
            RegistryCredentialFiles.Candidates(null, env));
    }

    [Fact]
    public void A_broken_auth_entry_is_named()
    {
        var e = Assert.Throws<RecipeException>(() => RegistryAuthFile.Find("""{"auths": {"r.internal": {"auth": "bm9jb2xvbg=="}}}""",
            "/x/auth.json", ImageReference.Parse("r.internal/a")));
        Assert.Equal("/x/auth.json: the \"auth\" of 'r.internal' is not base64 of user:password", e.Message);
    }

    [Theory]
    [InlineData("Bearer realm=\"https://auth.internal/token\",service=\"registry.internal\",scope=\"repository:a/b:pull\"",
        "Bearer", "https://auth.internal/token", "registry.internal", "repository:a/b:pull")]
    [InlineData("Basic realm=\"Registry Realm\"", "Basic", "Registry Realm", null, null)]
    [InlineData("bearer realm=https://t.internal/token, service=reg", "bearer", "https://t.internal/token", "reg", null)]
    public void Challenges_parse(string header, string scheme, string realm, string? service, string? scope)
    {
        var c = RegistryChallenge.Parse(header)!;
        Assert.Equal((scheme, realm, service, scope), (c.Scheme, c.Realm, c.Service, c.Scope));
    }

    [Theory]
    [InlineData("registry.internal/base/bookworm:2026-12-07", "registry.internal", "base/bookworm", "2026-12-07")]
    [InlineData("127.0.0.1:5000/base", "127.0.0.1:5000", "base", "latest")]
    [InlineData("localhost/a/b/c:v1", "localhost", "a/b/c", "v1")]
    public void References_parse(string text, string registry, string repository, string reference)
    {
        var r = ImageReference.Parse(text);
        Assert.Equal((registry, repository, reference), (r.Registry, r.Repository, r.Reference));
    }

    [Theory]
    [InlineData("base/bookworm:1", "'base/bookworm:1': name the registry, as in registry.internal/base/bookworm:tag or 127.0.0.1:5000/base:tag")]
    [InlineData("r.internal/Base:1", "'r.internal/Base:1': 'Base' is not a valid repository name (lowercase letters, digits and . _ - separated by /)")]
    [InlineData("r.internal/base:a/b", "'r.internal/base:a/b': 'a/b' is not a valid tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})")]
    public void Bad_references_are_refused(string text, string message) =>
        Assert.Equal(message, Assert.Throws<RecipeException>(() => ImageReference.Parse(text)).Message);
}
