namespace Bootstrapper.EndToEnd.Official;

/// <summary>
/// Every difference between our images and debuerreotype's that is known and explained (README: "Matching Debian's
/// official images" lists the same, with the same reasons). One that is not here fails the test.
/// </summary>
internal static class OfficialDifferences
{
    public sealed record Explained(string Path, DifferenceKind Kind, string Reason)
    {
        public bool Matches(Difference d) => d.Kind == Kind &&
            (Path.EndsWith("/*", StringComparison.Ordinal) ? d.Path.StartsWith(Path[..^1], StringComparison.Ordinal) : d.Path == Path);
    }

    public static readonly IReadOnlyList<Explained> All =
    [
        new("dev/*", DifferenceKind.OnlyOurs,
            "debuerreotype-tar leaves /dev out (the container runtime mounts its own); ours carries the static nodes " +
            "debootstrap and mmdebstrap make, so the tree also works under chroot or systemd-nspawn"),
        new("var/cache/apt/archives", DifferenceKind.OnlyOurs, AptDirectoriesReason),
        new("var/cache/apt/archives/partial", DifferenceKind.OnlyOurs, AptDirectoriesReason),
        new("var/lib/apt/lists/partial", DifferenceKind.OnlyOurs, AptDirectoriesReason),
        new("etc/hostname", DifferenceKind.OnlyOfficial,
            "debuerreotype-init writes 'debuerreotype'; the runtime sets the host name ([output] hostname writes one)"),
        new("etc/resolv.conf", DifferenceKind.OnlyOfficial,
            "debuerreotype-init writes public resolvers (1.1.1.1, 1.0.0.1); the runtime provides the resolver configuration"),
        new("var/lib/dpkg/status-old", DifferenceKind.OnlyOfficial, BackupReason),
        new("var/lib/dpkg/diversions-old", DifferenceKind.OnlyOfficial, BackupReason),
        new("var/cache/debconf/config.dat-old", DifferenceKind.OnlyOfficial, BackupReason),
        new("var/cache/debconf/templates.dat-old", DifferenceKind.OnlyOfficial, BackupReason),
        new("var/log/apt/eipp.log.xz", DifferenceKind.OnlyOfficial,
            "apt's log of the planner run by the official build's apt-get dist-upgrade (ours runs no apt)"),
        new("var/cache/debconf/tmp.ci", DifferenceKind.OnlyOfficial,
            "trixie: the empty directory debconf's preconfiguration leaves behind in the official build's apt-get " +
            "dist-upgrade (ours runs no apt)"),
        new("var/lib/apt/extended_states", DifferenceKind.Contents,
            "the same marks (every package automatic, as debuerreotype-init's apt-mark auto leaves them; a recipe's " +
            "includes manual): apt writes the stanzas in its package cache's order, ours sorted by name, so the file is " +
            "reproducible"),
        new("var/lib/dpkg/arch", DifferenceKind.OnlyOurs,
            "dpkg's list of architectures (the native one), as mmdebstrap writes it; debootstrap does not"),
        new("var/lib/dpkg/available", DifferenceKind.Contents,
            "debootstrap fills dpkg's old 'available' database with the release's Packages stanzas (stale after " +
            "the updates the build installs); ours is empty, as mmdebstrap leaves it"),
        new("var/lib/dpkg/status", DifferenceKind.Contents,
            "only Priority fields (checked field by field): from that 'available' database dpkg takes the archive's " +
            "override Priority for the packages debootstrap installed, ours the .deb's own"),
    ];

    private const string AptDirectoriesReason =
        "directories apt's package ships: debuerreotype-tar leaves them out (apt recreates them), and then dpkg " +
        "--verify reports them missing; ours keeps them, as debootstrap does, so dpkg --verify is clean";

    private const string BackupReason =
        "backup dpkg or debconf writes before changing its database: build history, not the system (we remove them)";

    /// <summary>The differences that nothing in <see cref="All"/> explains.</summary>
    public static IReadOnlyList<Difference> Unexplained(IEnumerable<Difference> differences) =>
        differences.Where(d => !All.Any(e => e.Matches(d))).ToList();
}
