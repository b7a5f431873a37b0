using System.Runtime.Versioning;
using Bootstrapper.Core.Alpine.Index;
using Bootstrapper.Core.Alpine.Package;
using Bootstrapper.Core.Images.Sbom;
using Bootstrapper.Core.Planning;
using Bootstrapper.Engine.Net.Mirrors;
using Bootstrapper.Engine.Pipeline;

namespace Bootstrapper.Engine.Families.Alpine;

/// <summary>One repository the plan read: its verified index, the recipe branch and repository it stands for, and
/// the cached signed APKINDEX.tar.gz (for a bundle).</summary>
internal sealed record AlpineRepository(ApkRepositoryIndex Index, string Branch, string Repository, string? CachedIndex);

/// <summary>A package of an Alpine plan with the index entry it was planned from.</summary>
/// <param name="FromLock">A locked package today's indexes no longer list: <paramref name="Entry"/> holds only the
/// lock's facts, and the install reads the rest from the package's own .PKGINFO once it is verified.</param>
internal sealed record AlpinePlanned(ApkPackageInfo Entry, string Reason, bool FromLock = false, string? Filename = null)
{
    public PlannedPackage Planned { get; } = new()
    {
        Name = Entry.Name,
        Version = Entry.Version,
        Architecture = Entry.Arch,
        Size = Entry.Size,
        Sha256 = null, // Alpine indexes carry SHA-1 of the control member (C:), checked with the signature
        Filename = Filename ?? Entry.FileName,
        RepositoryUrl = Entry.RepositoryUrl,
        Reason = Reason,
        IndexChecksum = Entry.Checksum,
        // The control member's SHA-1 in hex names the file in the cache, as apk's cache does.
        CacheKey = Convert.ToHexStringLower(Convert.FromBase64String(Entry.Checksum[2..])),
        // KiB, like Debian's field, rounded up without overflowing: the pipeline sizes the staging area with it.
        InstalledSizeKiB = FromLock ? null : Entry.InstalledSize / 1024 + (Entry.InstalledSize % 1024 == 0 ? 0 : 1),
    };
}

/// <summary>
/// An Alpine plan and what its steps need from the planning: each package's index entry (so installing needs no
/// index), the mirrors etc/apk/repositories names, the verified repositories (for a bundle) and the keyring.
/// </summary>
[UnsupportedOSPlatform("windows")]
internal sealed partial class AlpinePlan(Plan plan) : FamilyPlan(plan)
{
    /// <summary>Each recipe source's mirror.</summary>
    public required IReadOnlyList<MirrorChoice> Mirrors { get; init; }
    public required IReadOnlyList<AlpineRepository> Repositories { get; init; }
    /// <summary>The recipe's keys: every package file is checked with them.</summary>
    public required ApkKeyring Keyring { get; init; }
    /// <summary>Each planned package's index entry, by name.</summary>
    public required IReadOnlyDictionary<string, ApkPackageInfo> Entries { get; init; }
    /// <summary>Names of the locked packages today's indexes no longer list (<see cref="AlpinePlanned.FromLock"/>).</summary>
    public required IReadOnlySet<string> FromLock { get; init; }

    /// <summary>
    /// The package's signature, its datahash, and the plan's C:, name, version and size: what pins an Alpine file,
    /// whose index gives no SHA-256 of it. Checked on every use from the cache and before a download is kept.
    /// </summary>
    public override void VerifyPackageFile(PlannedPackage package, string file, string label) =>
        ApkPackageFile.Verify(File.ReadAllBytes(file), Keyring, Entries[package.Name], label);

    public override async Task<InstallOutcome> InstallAsync(BuildSession session, PackageFiles files, string root,
        CancellationToken ct)
    {
        var items = new List<AlpineInstallItem>();
        var byName = Plan.Packages.ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var p in Plan.Packages)
            items.Add(new AlpineInstallItem(await InstallInfoAsync(p, files, ct).ConfigureAwait(false) with
            {
                RepositoryUrl = p.RepositoryUrl,
            }, files.PathOf(p)));
        // etc/apk/repositories: every recipe repository in recipe order, with the URL meant for the image.
        var repositories = new List<string>();
        for (int i = 0; i < Plan.Recipe.Sources.Count; i++)
        {
            var source = Plan.Recipe.Sources[i];
            repositories.AddRange(source.Components.Select(c => $"{Mirrors[i].ImageUrl}/{source.Suite}/{c}"));
        }
        await AlpineInstaller.InstallAsync(root, items, new AlpineInstallOptions
        {
            Keyring = Keyring,
            World = Plan.Recipe.Packages.Include,
            Repositories = repositories,
            Architecture = Plan.Recipe.Architecture,
            SourceDateEpoch = session.SourceDateEpoch,
            Log = session.Reporter.Verbose,
            // The live bar names the package and counts them, as Debian's does with dpkg's "Setting up" lines.
            Installing = (done, total, package) =>
            {
                session.Reporter.Step("install", $"installing {package}");
                session.Reporter.Progress("install", done - 1, total, "packages");
            },
            WaitForFile = (item, token) => files.GetAsync(byName[item.Info.Name], token),
        }, ct).ConfigureAwait(false);
        return new InstallOutcome { Licenses = Licenses(items.Select(i => i.Info)) };
    }

    /// <summary>
    /// The entry to install a planned package with: the index's, or, for a locked package today's indexes dropped,
    /// the package's own .PKGINFO once its signature and the lock's Q1 are verified.
    /// </summary>
    private async Task<ApkPackageInfo> InstallInfoAsync(PlannedPackage p, PackageFiles files, CancellationToken ct)
    {
        var entry = Entries[p.Name];
        if (!FromLock.Contains(p.Name)) return entry;
        var file = await files.GetAsync(p, ct).ConfigureAwait(false);
        var contents = ApkPackageFile.Verify(await File.ReadAllBytesAsync(file, ct).ConfigureAwait(false), Keyring, entry, file);
        return ApkPkgInfo.ToPackageInfo(contents, p.Size, file);
    }

    /// <summary>The index's L: field (apk's SPDX-style licence) of what was installed, made a valid SPDX expression.</summary>
    private static SortedDictionary<string, string> Licenses(IEnumerable<ApkPackageInfo> installed)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var info in installed)
            if (!string.IsNullOrWhiteSpace(info.License)) result[info.Name] = SpdxLicense.Sanitize(info.License);
        return result;
    }
}
