namespace Bootstrapper.Core.Errors;

/// <summary>
/// A failure the user can act on. The message is shown as-is (no stack trace), so it must say what went wrong,
/// where (file, line, package, URL) and what to do. <see cref="ExitCode"/> is one of <see cref="ExitCodes"/>.
/// </summary>
internal class BootstrapException : Exception
{
    public int ExitCode { get; }

    public BootstrapException(int exitCode, string message, Exception? inner = null) : base(message, inner)
    {
        ExitCode = exitCode;
    }
}

/// <summary>The recipe (or the command line) is wrong.</summary>
internal sealed class RecipeException(string message, Exception? inner = null)
    : BootstrapException(ExitCodes.UsageOrRecipe, message, inner);

/// <summary>A signature, checksum or size check failed.</summary>
internal sealed class VerificationException(string message, Exception? inner = null)
    : BootstrapException(ExitCodes.VerificationFailed, message, inner);

/// <summary>The package set cannot be resolved.</summary>
internal sealed class ResolutionException(string message, Exception? inner = null)
    : BootstrapException(ExitCodes.ResolutionFailed, message, inner);

/// <summary>Something could not be downloaded or found (mirror, cache, bundle).</summary>
internal sealed class FetchException(string message, Exception? inner = null)
    : BootstrapException(ExitCodes.FetchFailed, message, inner);

/// <summary>A package could not be installed safely: hostile paths, malformed archive, failing script.</summary>
internal sealed class InstallException(string message, Exception? inner = null)
    : BootstrapException(ExitCodes.InstallFailed, message, inner);
