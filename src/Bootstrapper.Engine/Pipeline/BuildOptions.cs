using Bootstrapper.Core.Locking;
using Bootstrapper.Core.Recipes;
using Bootstrapper.Engine.Output;

namespace Bootstrapper.Engine.Pipeline;

/// <summary>What the command line (or a test) adds to a recipe. Everything here is optional.</summary>
internal sealed record BuildOptions
{
    /// <summary>--mirror URL: replaces the mirror of every source (without a --mirror ARCHIVE=URL of its archive).</summary>
    public string? MirrorOverride { get; init; }
    /// <summary>--mirror ARCHIVE=URL: replaces the mirror of the sources with that archive.</summary>
    public IReadOnlyDictionary<string, string> ArchiveMirrors { get; init; } = new Dictionary<string, string>();
    /// <summary>Both --mirror forms together.</summary>
    public MirrorOverrides Mirrors => new(MirrorOverride, ArchiveMirrors);
    /// <summary>--keyring: extra keyring files, used in addition to the recipe's.</summary>
    public IReadOnlyList<string> ExtraKeyrings { get; init; } = [];
    /// <summary>--cache: the cache folder (indices, packages). Default: ./cache.</summary>
    public string CacheDirectory { get; init; } = Path.GetFullPath("cache");
    /// <summary>-o: output path, replacing the recipe's.</summary>
    public string? OutputOverride { get; init; }
    /// <summary>--source-date-epoch, else SOURCE_DATE_EPOCH, else the recipe.</summary>
    public long? SourceDateEpoch { get; init; }
    /// <summary>--offline: never open a network connection; use the cache and file:// mirrors only.</summary>
    public bool Offline { get; init; }
    /// <summary>--no-check-valid-until: accept indices past their Valid-Until (with a warning; signatures still count).</summary>
    public bool NoCheckValidUntil { get; init; }
    /// <summary>--snapshot: the snapshot time to build from, replacing the recipe's `snapshot`.</summary>
    public DateTimeOffset? Snapshot { get; init; }
    /// <summary>--snapshot-url: the snapshot service's URL template, replacing BOOTSTRAP_SNAPSHOT_URL.</summary>
    public string? SnapshotUrl { get; init; }
    /// <summary>--sbom: the SBOM formats written beside the image (SPDX 2.3 and CycloneDX 1.6 by default).</summary>
    public SbomFormat Sbom { get; init; } = SbomFormat.Both;
    /// <summary>Environment variables (injected so tests do not depend on the process environment).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = ReadEnvironment();
    /// <summary>Host apt configuration root (normally "/"); tests point it at a fake tree.</summary>
    public string HostRoot { get; init; } = "/";
    /// <summary>The clock for Valid-Until checks (tests move it).</summary>
    public Func<DateTimeOffset> Now { get; init; } = () => DateTimeOffset.UtcNow;
    /// <summary>How many downloads run at once.</summary>
    public int DownloadParallelism { get; init; } = 4;
    /// <summary>Keep the staging root after the build (debugging).</summary>
    public bool KeepStagingRoot { get; init; }
    /// <summary>--locked: install exactly this lock's packages instead of resolving (the indices are still verified).</summary>
    public LockFile? Locked { get; init; }
    /// <summary>Where <see cref="Locked"/> was read from, for messages.</summary>
    public string? LockedPath { get; init; }

    public static IReadOnlyDictionary<string, string> ReadEnvironment()
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in System.Environment.GetEnvironmentVariables())
            d[(string)e.Key] = (string?)e.Value ?? "";
        return d;
    }
}
