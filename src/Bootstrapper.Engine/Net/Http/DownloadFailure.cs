namespace Bootstrapper.Engine.Net.Http;

/// <summary>Why one download attempt failed; decides whether the retry pipeline tries again.</summary>
internal enum FailureKind
{
    /// <summary>5xx, stalled or dropped connection, truncated body: worth another attempt.</summary>
    Transient,
    /// <summary>No connection at all (refused, no such host, connect timeout): tried once more, not five times, so a
    /// dead mirror fails in about a second (a connect timeout already spans the kernel's own SYN retransmits).</summary>
    Unreachable,
    /// <summary>The bytes arrived but size or SHA-256 differ from the signed index: retried (a mirror may be mid-sync), then a verification error.</summary>
    Mismatch,
    /// <summary>A client error (403, 401, 400...) that another attempt will not change: not retried.</summary>
    Permanent,
}

/// <summary>A failed attempt, thrown inside the retry pipeline and turned into a BootstrapException after the last one.</summary>
internal sealed class DownloadFailure(FailureKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public FailureKind Kind { get; } = kind;
    /// <summary>Refused before any request: the host already counted as down.</summary>
    public bool NotTried { get; init; }
}

/// <summary>The server (or file system) says the file does not exist: never retried.</summary>
internal sealed class NotFoundFailure(string message) : Exception(message);
