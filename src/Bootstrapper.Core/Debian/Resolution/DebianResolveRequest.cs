namespace Bootstrapper.Core.Debian.Resolution;

/// <summary>What to resolve: a variant's base set, extra packages, and packages never to install.</summary>
internal sealed record DebianResolveRequest
{
    public DebianVariant Variant { get; init; } = DebianVariant.Minbase;

    /// <summary>Extra package names to install (with their dependencies).</summary>
    public IReadOnlyList<string> Include { get; init; } = [];

    /// <summary>
    /// Package names never to select: seeds of the variant are dropped, alternatives naming them are skipped, and
    /// a dependency that nothing else can satisfy is an error (rather than a silently broken image).
    /// </summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>
    /// When an alternative group lists <c>usr-is-merged</c> (bookworm's init-system-helpers:
    /// <c>usrmerge | usr-is-merged</c>), choose it although usrmerge comes first. This is what debootstrap does
    /// and what mmdebstrap's merged-usr hook achieves, for a bootstrapper that creates the /bin, /sbin, /lib*
    /// -> usr/ links itself before unpacking. Off gives plain apt behaviour: usrmerge, which converts the tree
    /// when configured and pulls in perl (96 packages instead of 88 for bookworm minbase).
    /// </summary>
    public bool PreferUsrIsMerged { get; init; } = true;

    /// <summary>The package <see cref="PreferUsrIsMerged"/> is about.</summary>
    public const string UsrIsMerged = "usr-is-merged";
}
