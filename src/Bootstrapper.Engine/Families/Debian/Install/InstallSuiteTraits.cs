namespace Bootstrapper.Engine.Families.Debian.Install;

/// <summary>Per-suite facts that change how a root is laid out before any package is extracted.</summary>
/// <param name="BootstrapperCreatesMergedUsr">
/// True when the bootstrapper must create the /bin, /sbin, /lib... -> usr/... links before extraction (bookworm:
/// packages still ship files under /bin, and the set includes the empty usr-is-merged package instead of the
/// usrmerge converter, as debootstrap does). False for older suites (unmerged) and for trixie and later, whose
/// base-files ships the links itself.
/// </param>
internal sealed record InstallSuiteTraits(string Suite, bool BootstrapperCreatesMergedUsr)
{
    // debootstrap's scripts/debian-common: bookworm is the Debian suite where the bootstrapper creates the links
    // and installs usr-is-merged (trixie's base-files ships them; bullseye's official images were not merged and
    // are not supported). scripts/gutsy: Ubuntu releases after hirsute are merged by the bootstrapper too; of
    // those, the LTS releases jammy and noble are listed here.
    private static readonly HashSet<string> BootstrapperMerged = new(StringComparer.Ordinal) { "bookworm", "jammy", "noble" };

    /// <summary>Traits for a Debian suite codename.</summary>
    public static InstallSuiteTraits For(string suite) => new(suite, BootstrapperMerged.Contains(suite));

    /// <summary>
    /// Top-level directories that become links into /usr for <paramref name="architecture"/>: bin, sbin, lib and
    /// the architecture's multilib directories (debootstrap's table, so the root has the same links).
    /// </summary>
    public static IReadOnlyList<string> MergedUsrDirectories(string architecture)
    {
        string[] extra = architecture switch
        {
            "amd64" => ["lib32", "lib64", "libx32"],
            "i386" => ["lib64", "libx32"],
            "mips" or "mipsel" => ["lib32", "lib64"],
            "mips64el" or "mips64" => ["lib32", "lib64", "libo32"],
            "loong64" => ["lib32", "lib64"],
            "powerpc" => ["lib64"],
            "ppc64" => ["lib32", "lib64"],
            "ppc64el" => ["lib64"],
            "s390x" => ["lib32"],
            "sparc64" => ["lib32", "lib64"],
            "x32" => ["lib32", "lib64", "libx32"],
            _ => [],    // arm64, armhf, armel, riscv64: no multilib directories
        };
        return ["bin", "sbin", "lib", .. extra];
    }
}
