using Bootstrapper.Core.Oci;

namespace Bootstrapper.Engine.Oci.Registry;

/// <summary>How `bootstrap push` talks to a registry.</summary>
internal sealed record RegistryOptions
{
    /// <summary>--tls-verify=false: accept any certificate, and fall back to plain HTTP when the registry speaks no TLS.</summary>
    public bool TlsVerify { get; init; } = true;
    /// <summary>From an auth file (<see cref="RegistryCredentialFiles"/>); null: anonymous until a 401 says otherwise.</summary>
    public RegistryAuthFile.Credentials? Credentials { get; init; }
    /// <summary>Where the credentials were looked for, for the message when the registry wants some.</summary>
    public IReadOnlyList<string> CredentialFilesSearched { get; init; } = [];
    /// <summary>Bytes per PATCH of a chunked upload; a dropped connection costs at most one chunk.</summary>
    public int ChunkBytes { get; init; } = 16 << 20;
    public int MaxAttempts { get; init; } = 5;
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Tests inject a handler; a SocketsHttpHandler otherwise.</summary>
    public HttpMessageHandler? Handler { get; init; }

    /// <summary>BOOTSTRAP_RETRY_DELAY_MS (as for downloads) and BOOTSTRAP_PUSH_CHUNK_BYTES adjust the defaults.</summary>
    public static RegistryOptions FromEnvironment(IReadOnlyDictionary<string, string> environment)
    {
        var options = new RegistryOptions();
        if (int.TryParse(environment.GetValueOrDefault("BOOTSTRAP_RETRY_DELAY_MS"), out var ms) && ms >= 0)
            options = options with { FirstRetryDelay = TimeSpan.FromMilliseconds(ms) };
        if (int.TryParse(environment.GetValueOrDefault("BOOTSTRAP_PUSH_CHUNK_BYTES"), out var chunk) && chunk > 0)
            options = options with { ChunkBytes = chunk };
        return options;
    }
}
