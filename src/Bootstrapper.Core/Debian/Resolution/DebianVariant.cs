namespace Bootstrapper.Core.Debian.Resolution;

/// <summary>
/// Which base set to install, with the meanings of mmdebstrap(1) "--variant". Each includes the ones before it
/// except where noted; every set is closed under Pre-Depends and Depends.
/// </summary>
internal enum DebianVariant
{
    /// <summary>Essential: yes packages.</summary>
    Essential,
    /// <summary>Essential plus apt.</summary>
    Apt,
    /// <summary>Essential, Priority: required and apt (mmdebstrap also calls it "required"; debootstrap's minbase).</summary>
    Minbase,
    /// <summary>Minbase plus build-essential.</summary>
    Buildd,
    /// <summary>Minbase plus Priority: important (not build-essential).</summary>
    Important,
    /// <summary>Important plus Priority: standard.</summary>
    Standard,
}

internal static class DebianVariants
{
    /// <summary>Parses a variant name as mmdebstrap spells it ("required" is minbase); null if unknown.</summary>
    public static DebianVariant? TryParse(string? name) => name?.ToLowerInvariant() switch
    {
        "essential" => DebianVariant.Essential,
        "apt" => DebianVariant.Apt,
        "minbase" or "required" => DebianVariant.Minbase,
        "buildd" => DebianVariant.Buildd,
        "important" => DebianVariant.Important,
        "standard" => DebianVariant.Standard,
        _ => null,
    };

    public static string Name(this DebianVariant variant) => variant.ToString().ToLowerInvariant();
}
