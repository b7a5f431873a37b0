using System.Diagnostics;
using Bootstrapper.Core.Debian.Resolution;

namespace Bootstrapper.EndToEnd.Resolution;

/// <summary>
/// Our resolver against apt itself, for every variant and with includes, the way mmdebstrap runs it: the
/// essential set is installed first (here: written into a throw-away dpkg status file), then
/// `apt-get install apt ?priority-pattern includes` with Recommends off. `apt-get -s` answers in ~1-2 s, so
/// this covers sets too large to record. (mmdebstrap --simulate itself is no oracle for includes: in a dry run
/// nothing is installed between the two phases, so apt picks e.g. lsb-base although the installed
/// sysvinit-utils provides it.)
/// </summary>
public sealed class AptSimulationOracleTests(BookwormUniverseFixture fixture, ITestOutputHelper output)
    : IClassFixture<BookwormUniverseFixture>
{
    private const string Servers = "systemd openssh-server python3 curl vim sudo locales iproute2 git man-db rsyslog cron postfix nginx";
    private const string Heavy = "default-jdk-headless emacs-nox texinfo php-cli ruby nodejs golang-go mariadb-server apache2 " +
                                 "exim4-daemon-light dbus-user-session network-manager";

    private const string Desktop = "lomiri-common kde-telepathy-minimal default-jdk-headless mariadb-server task-gnome-desktop";

    [Theory]
    [InlineData(nameof(DebianVariant.Essential), "", true)]
    [InlineData(nameof(DebianVariant.Apt), "", false)]
    [InlineData(nameof(DebianVariant.Minbase), "", false)]
    [InlineData(nameof(DebianVariant.Buildd), "", true)]
    [InlineData(nameof(DebianVariant.Buildd), "", false)]
    [InlineData(nameof(DebianVariant.Important), "", true)]
    [InlineData(nameof(DebianVariant.Standard), "", true)]
    [InlineData(nameof(DebianVariant.Standard), "", false)]
    [InlineData(nameof(DebianVariant.Apt), Servers, true)]
    [InlineData(nameof(DebianVariant.Minbase), Heavy, true)]
    [InlineData(nameof(DebianVariant.Minbase), Heavy, false)]
    // Providers that tie on everything but apt's cache order (phpapi-20220829, www-browser, emacsen, gvim, ...).
    [InlineData(nameof(DebianVariant.Essential), "php-zeroc-ice", false)]
    [InlineData(nameof(DebianVariant.Essential), "webhttrack", false)]
    [InlineData(nameof(DebianVariant.Essential), "cream", true)]
    [InlineData(nameof(DebianVariant.Essential), "homer-api", true)]
    // 1368 packages; pulseaudio (first alternative for ayatana-indicator-sound) must give way to pipewire-pulse.
    [InlineData(nameof(DebianVariant.Standard), Desktop, false)]
    public void Resolution_equals_apt_on_top_of_the_essential_set(string variantName, string include, bool preferUsrIsMerged)
    {
        var variant = Enum.Parse<DebianVariant>(variantName);
        var includes = include.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var ours = DebianResolver.Resolve(fixture.Universe, new DebianResolveRequest
        {
            Variant = variant,
            Include = includes,
            PreferUsrIsMerged = preferUsrIsMerged,
        });
        // Phase 1, as mmdebstrap: the essential set (with the merged-usr hook: usr-is-merged chosen; the essential
        // set itself is checked against mmdebstrap by BookwormOracleTests).
        var essential = DebianResolver.Resolve(fixture.Universe, new DebianResolveRequest
        {
            Variant = DebianVariant.Essential,
            PreferUsrIsMerged = preferUsrIsMerged,
        }).Names.ToList();

        var clock = Stopwatch.StartNew();
        var apt = SimulateOnTopOf(essential, PhaseTwoArguments(variant, includes), aptIsEssential: variant == DebianVariant.Apt);
        output.WriteLine($"apt-get -s took {clock.Elapsed.TotalSeconds:F1} s; {apt.Count} packages");
        ReferenceSets.AssertSameSet(apt, ours.Names, $"apt-get -s ({variant}, include '{include}')");
    }

    /// <summary>
    /// mmdebstrap's run_install: the includes as given, build-essential for buildd, one priority pattern. For
    /// the apt variant mmdebstrap installs apt with the essential set (apt-get dist-upgrade); here it leads the
    /// command line, which apt also resolves first.
    /// </summary>
    private static List<string> PhaseTwoArguments(DebianVariant variant, string[] includes)
    {
        var args = new List<string>();
        if (variant == DebianVariant.Apt) args.Add("apt");
        args.AddRange(includes);
        if (variant == DebianVariant.Buildd) args.Add("build-essential");
        string? priorities = variant switch
        {
            DebianVariant.Minbase or DebianVariant.Buildd => "?priority(required)",
            DebianVariant.Important => "?or(?priority(required),?priority(important))",
            DebianVariant.Standard => "?or(?priority(required),?priority(important),?priority(standard))",
            _ => null,
        };
        if (priorities is not null)
            args.Add($"?narrow(?or(?archive(^bookworm$),?codename(^bookworm$)),?architecture(amd64),?and({priorities},?not(?essential)))");
        return args;
    }

    /// <param name="aptIsEssential">
    /// apt treats itself as Essential unless pkgCacheGen::ForceEssential is "," (mmdebstrap sets that for every
    /// variant but apt); otherwise the priority pattern's ?not(?essential) would leave apt out.
    /// </param>
    private static SortedSet<string> SimulateOnTopOf(IReadOnlyList<string> installed, IReadOnlyList<string> install, bool aptIsEssential)
    {
        var dir = Directory.CreateTempSubdirectory("resolver-aptsim-");
        try
        {
            // The candidate stanzas of the installed set, marked installed: apt then treats them exactly like an
            // unpacked and configured essential set.
            var stanzas = HostAptIndices.Run("apt-cache", ["show", "--no-all-versions", .. installed]);
            var status = string.Join('\n', stanzas.Split('\n').SelectMany(line =>
                line.StartsWith("Package: ", StringComparison.Ordinal) ? [line, "Status: install ok installed"] : new[] { line }));
            File.WriteAllText(Path.Combine(dir.FullName, "status"), status);
            var result = new SortedSet<string>(installed, StringComparer.Ordinal);
            if (install.Count == 0) return result;
            var simulated = HostAptIndices.Run("apt-get",
            [
                "-s", "-o", $"Dir::State::status={dir.FullName}/status", "-o", $"Dir::State::extended_states={dir.FullName}/extended_states",
                "-o", "APT::Install-Recommends=0", "-o", "Debug::NoLocking=1",
                "-o", $"pkgCacheGen::ForceEssential={(aptIsEssential ? "apt" : ",")}", "install", .. install,
            ]);
            foreach (var line in simulated.Split('\n'))
                if (line.StartsWith("Inst ", StringComparison.Ordinal))
                    result.Add(line.Split(' ')[1]);
            return result;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
