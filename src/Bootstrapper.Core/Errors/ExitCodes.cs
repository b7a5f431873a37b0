namespace Bootstrapper.Core.Errors;

/// <summary>
/// Process exit codes. Documented in README.md ("Exit codes"); scripts depend on them, so never renumber.
/// </summary>
internal static class ExitCodes
{
    public const int Success = 0;
    /// <summary>An unexpected internal failure (a bug): the message includes the exception.</summary>
    public const int InternalError = 1;
    /// <summary>Bad command line or bad recipe (syntax, schema, unknown key, wrong type, missing field).</summary>
    public const int UsageOrRecipe = 2;
    /// <summary>A signature, hash or size did not verify: the repository or a download cannot be trusted.</summary>
    public const int VerificationFailed = 3;
    /// <summary>The requested package set cannot be resolved (missing package, conflict, unsatisfiable dependency).</summary>
    public const int ResolutionFailed = 4;
    /// <summary>A mirror could not be reached, or a file is missing from it (or from the cache when offline).</summary>
    public const int FetchFailed = 5;
    /// <summary>The build needs privileges it does not have (for example: configuring needs root).</summary>
    public const int NeedsPrivileges = 6;
    /// <summary>A package is hostile or malformed (path traversal, bad archive) or a maintainer script failed.</summary>
    public const int InstallFailed = 7;
    /// <summary>`bootstrap diff`: the two images differ.</summary>
    public const int DiffChanged = 10;
    /// <summary>Interrupted by SIGINT/SIGTERM (128 + SIGINT).</summary>
    public const int Interrupted = 130;
}
