using Bootstrapper.Core.Debian.Versions;

namespace Bootstrapper.Core.Debian.Control;

/// <summary>The Multi-Arch field (Debian Policy 7.x, multiarch spec). Missing means <see cref="No"/>.</summary>
internal enum MultiArch
{
    No,
    Same,
    Foreign,
    Allowed,
}

/// <summary>
/// The Priority field. The numeric order is apt's (pkgCache::State::VerPriority): a lower value is more
/// important, which is how apt ranks providers of a virtual package.
/// </summary>
internal enum PackagePriority
{
    /// <summary>No Priority field. apt leaves 0 then, so such a provider outranks even a required one.</summary>
    None = 0,
    Required = 1,
    Important = 2,
    Standard = 3,
    Optional = 4,
    /// <summary>Also what apt makes of an unrecognised value.</summary>
    Extra = 5,
}

internal static class PackageFieldValues
{
    public static PackagePriority ParsePriority(string? value) => value?.ToLowerInvariant() switch
    {
        null or "" => PackagePriority.None,
        "required" => PackagePriority.Required,
        "important" => PackagePriority.Important,
        "standard" => PackagePriority.Standard,
        "optional" => PackagePriority.Optional,
        "extra" => PackagePriority.Extra,
        _ => PackagePriority.Extra,
    };

    public static MultiArch ParseMultiArch(string? value) => value?.ToLowerInvariant() switch
    {
        null or "" or "no" => MultiArch.No,
        "same" => MultiArch.Same,
        "foreign" => MultiArch.Foreign,
        "allowed" => MultiArch.Allowed,
        _ => throw new FormatException($"unknown Multi-Arch value '{value}' (expected no, same, foreign or allowed)"),
    };
}

/// <summary>One entry of a Provides field: a (virtual) name, optionally with the exact version provided.</summary>
internal sealed record ProvidedName(string Name, DebVersion? Version)
{
    public override string ToString() => Version is null ? Name : $"{Name} (= {Version})";
}
