using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Oci;

namespace Bootstrapper.Engine.Oci.Registry;

/// <summary>
/// Where podman, skopeo and docker keep registry logins, searched in their order: --authfile (alone when given),
/// REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json, then docker's $DOCKER_CONFIG/config.json or
/// ~/.docker/config.json. The first file with an entry for the image wins.
/// </summary>
internal static class RegistryCredentialFiles
{
    public static IReadOnlyList<string> Candidates(string? authFile, IReadOnlyDictionary<string, string> environment)
    {
        if (authFile is not null) return [authFile];
        var files = new List<string>();
        if (environment.GetValueOrDefault("REGISTRY_AUTH_FILE") is { Length: > 0 } registryAuthFile) files.Add(registryAuthFile);
        if (environment.GetValueOrDefault("XDG_RUNTIME_DIR") is { Length: > 0 } runtime)
            files.Add(Path.Combine(runtime, "containers", "auth.json"));
        if (environment.GetValueOrDefault("DOCKER_CONFIG") is { Length: > 0 } dockerConfig)
            files.Add(Path.Combine(dockerConfig, "config.json"));
        else if (environment.GetValueOrDefault("HOME") is { Length: > 0 } home)
            files.Add(Path.Combine(home, ".docker", "config.json"));
        return files;
    }

    public static (RegistryAuthFile.Credentials? Credentials, IReadOnlyList<string> Searched) Find(
        ImageReference reference, string? authFile, IReadOnlyDictionary<string, string> environment)
    {
        if (authFile is not null && !File.Exists(authFile))
            throw new RecipeException($"--authfile {authFile}: no such file");
        var candidates = Candidates(authFile, environment);
        foreach (var file in candidates.Where(File.Exists))
            if (RegistryAuthFile.Find(File.ReadAllText(file), file, reference) is { } found)
                return (found, candidates);
        return (null, candidates);
    }
}
