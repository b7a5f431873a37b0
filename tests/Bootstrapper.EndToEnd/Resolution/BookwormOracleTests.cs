using System.Diagnostics;
using Bootstrapper.Core.Debian.Resolution;

namespace Bootstrapper.EndToEnd.Resolution;

/// <summary>
/// Our resolver against the reference tools on the real bookworm indices: debootstrap run live (its
/// --print-debs resolves without installing, ~7 s), mmdebstrap via recorded sets (its --simulate cannot run the
/// merged-usr hook; see scripts/refresh-reference-sets.sh).
/// </summary>
public sealed class BookwormOracleTests(BookwormUniverseFixture fixture, ITestOutputHelper output)
    : IClassFixture<BookwormUniverseFixture>
{
    private DebianResolution Resolve(DebianVariant variant) =>
        DebianResolver.Resolve(fixture.Universe, new DebianResolveRequest { Variant = variant });

    [Fact]
    public void Minbase_is_what_debootstrap_print_debs_selects()
    {
        var mirror = HostAptIndices.MirrorFor("bookworm");
        var target = Directory.CreateTempSubdirectory("resolver-debootstrap-");
        var clock = Stopwatch.StartNew();
        string printed;
        try
        {
            printed = HostAptIndices.Run("debootstrap",
                ["--print-debs", "--variant=minbase", "bookworm", target.FullName, mirror]);
        }
        finally
        {
            if (target.Exists) target.Delete(recursive: true);
        }
        output.WriteLine($"debootstrap --print-debs took {clock.Elapsed.TotalSeconds:F1} s");
        var debootstrap = printed.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries);

        var ours = Resolve(DebianVariant.Minbase);
        ReferenceSets.AssertSameSet(debootstrap, ours.Names, "debootstrap --print-debs --variant=minbase");
        // The set the official Debian bookworm container images use.
        Assert.Equal(88, ours.Packages.Count);
    }

    [Theory]
    [InlineData(nameof(DebianVariant.Essential), "bookworm-amd64-mmdebstrap-essential.txt")]
    [InlineData(nameof(DebianVariant.Apt), "bookworm-amd64-mmdebstrap-apt.txt")]
    [InlineData(nameof(DebianVariant.Minbase), "bookworm-amd64-mmdebstrap-minbase.txt")]
    public void Variant_is_what_mmdebstrap_with_the_merged_usr_hook_installs(string variant, string recorded)
    {
        var ours = Resolve(Enum.Parse<DebianVariant>(variant));
        ReferenceSets.AssertSameSet(ReferenceSets.Load(recorded), ours.Names, recorded);
    }

    [Fact]
    public void Without_usr_is_merged_preference_apt_picks_usrmerge_and_perl()
    {
        var ours = DebianResolver.Resolve(fixture.Universe,
            new DebianResolveRequest { Variant = DebianVariant.Minbase, PreferUsrIsMerged = false });
        Assert.Contains("usrmerge", ours.Names);
        Assert.Contains("perl", ours.Names);
        Assert.DoesNotContain("usr-is-merged", ours.Names);
    }

    [Fact]
    public void Reasons_explain_each_selection()
    {
        var ours = Resolve(DebianVariant.Apt).Packages.ToDictionary(p => p.Package.Name);
        Assert.Equal("Essential: yes", ours["dpkg"].Reason);
        Assert.Equal("requested by variant apt", ours["apt"].Reason);
        Assert.StartsWith("dependency of apt (Depends: libapt-pkg6.0 (>= ", ours["libapt-pkg6.0"].Reason);
        Assert.StartsWith("dependency of init-system-helpers (Depends: usrmerge | usr-is-merged", ours["usr-is-merged"].Reason);
        var mawk = ours["mawk"];
        Assert.Contains("awk", mawk.Reason);
        foreach (var p in ours.Values) output.WriteLine($"{p.Package.Name,-28} {p.Reason}");
    }

    /// <summary>Not an assertion on time: prints the figures for the report.</summary>
    [Fact]
    public void Timing_parse_build_resolve()
    {
        long textChars = fixture.Indices.Sum(i => (long)i.Text.Length);
        output.WriteLine($"indices: {fixture.Indices.Count}, {textChars / 1e6:F1} M chars, {fixture.Universe.StanzaCount} stanzas, " +
                         $"{fixture.Universe.Packages.Count} candidates; apt-helper load {fixture.LoadTime.TotalMilliseconds:F0} ms; " +
                         $"first build (cold JIT) {fixture.BuildTime.TotalMilliseconds:F0} ms");
        // Wall time on a shared 2-core machine swings by 2-5x; process CPU time is steadier (it includes JIT and GC
        // threads). Test assemblies build in Debug unless `-c Release` is given.
        var process = System.Diagnostics.Process.GetCurrentProcess();
        TimeSpan Cpu() { process.Refresh(); return process.TotalProcessorTime; }
#if DEBUG
        output.WriteLine("configuration: Debug");
#else
        output.WriteLine("configuration: Release");
#endif
        for (int run = 0; run < 3; run++)
        {
            GC.Collect();
            var clock = Stopwatch.StartNew();
            var cpu0 = Cpu();
            var universe = PackageUniverse.Build(fixture.Indices, "amd64");
            var built = clock.Elapsed;
            var cpu1 = Cpu();
            var resolution = DebianResolver.Resolve(universe, new DebianResolveRequest { Variant = DebianVariant.Minbase });
            var resolved = clock.Elapsed - built;
            var cpu2 = Cpu();
            var standard = DebianResolver.Resolve(universe, new DebianResolveRequest { Variant = DebianVariant.Standard });
            var standardTime = clock.Elapsed - built - resolved;
            output.WriteLine($"run {run}: parse+build {built.TotalMilliseconds:F0} ms wall / {(cpu1 - cpu0).TotalMilliseconds:F0} ms CPU, " +
                             $"resolve minbase ({resolution.Packages.Count}) {resolved.TotalMilliseconds:F1} ms wall / {(cpu2 - cpu1).TotalMilliseconds:F1} ms CPU, " +
                             $"resolve standard ({standard.Packages.Count}) {standardTime.TotalMilliseconds:F1} ms wall");
        }
    }
}
