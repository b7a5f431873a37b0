using System.Diagnostics;
using Bootstrapper.Core.Debian.Control;
using Bootstrapper.Core.Debian.Resolution;

namespace Bootstrapper.EndToEnd.Resolution;

/// <summary>bookworm + bookworm-updates + bookworm-security, main, amd64, from the host's apt lists; built once.</summary>
public sealed class BookwormUniverseFixture
{
    public static readonly string[] Suites = ["bookworm", "bookworm-updates", "bookworm-security"];

    public BookwormUniverseFixture()
    {
        var load = Stopwatch.StartNew();
        Indices = HostAptIndices.Load(Suites, "main", "amd64");
        LoadTime = load.Elapsed;
        var build = Stopwatch.StartNew();
        Universe = PackageUniverse.Build(Indices, "amd64");
        BuildTime = build.Elapsed;
    }

    internal IReadOnlyList<PackagesIndex> Indices { get; }
    internal PackageUniverse Universe { get; }
    public TimeSpan LoadTime { get; }
    /// <summary>Parse + merge of all indices, the first time (includes JIT warm-up).</summary>
    public TimeSpan BuildTime { get; }
}
