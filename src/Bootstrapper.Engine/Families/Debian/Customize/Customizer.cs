using System.Diagnostics;
using Bootstrapper.Core.Customization;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Images.Manifest;
using Bootstrapper.Engine.Families.Debian.Finalize;
using Bootstrapper.Engine.Families.Debian.Install;
using Bootstrapper.Engine.Os.Files;
using Bootstrapper.Engine.Pipeline;

namespace Bootstrapper.Engine.Families.Debian.Customize;

/// <summary>
/// Applies a recipe's customization to the root at its three points (mmdebstrap's hook points): after the
/// essential set, after all packages, before packing. Every command runs in the build sandbox
/// (<see cref="ChrootRunner"/>); every host-side path goes through <see cref="RootFs"/>. What was added and run is
/// kept for the manifest and the SBOM.
/// </summary>
internal sealed class Customizer(BuildSession session, string root)
{
    private readonly CustomizationSteps _c = session.Recipe.Customize;
    private readonly List<ManifestFile> _files = [];
    private readonly List<ManifestRunStep> _steps = [];

    public IReadOnlyList<ManifestFile> Files => _files;
    public IReadOnlyList<ManifestRunStep> Steps => _steps;

    private ChrootRunner Chroot(string step) =>
        new(root, session.SourceDateEpoch, line => session.Reporter.Verbose($"{step}: {line}"));

    public Task AfterEssentialAsync(CancellationToken ct) => RunStepsAsync(RunStage.AfterEssential, ct);

    /// <summary>Accounts, files, time zone, locale, the `after-packages` steps, then minimizing.</summary>
    public async Task AfterPackagesAsync(CancellationToken ct)
    {
        if (_c.Groups.Count + _c.Users.Count > 0)
            await RunCheckedAsync("accounts", ["/bin/sh", "-c", AccountCommands.Script(_c.Groups, _c.Users)],
                "adding the recipe's groups and users (groupadd, useradd)", network: false, ct).ConfigureAwait(false);
        _files.AddRange(CustomizeFiles.Apply(root, _c.Files));
        if (_c.Timezone is { } zone) CustomizeSystem.SetTimezone(root, zone);
        if (_c.Locale is { } locale)
        {
            if (CustomizeSystem.EnableLocale(root, locale))
                await RunCheckedAsync("locale-gen", ["locale-gen"], $"generating the locale {locale} (locale-gen)", network: false, ct)
                    .ConfigureAwait(false);
            CustomizeSystem.WriteDefaultLocale(root, locale);
        }
        await RunStepsAsync(RunStage.AfterPackages, ct).ConfigureAwait(false);
        if (_c.Minimize is { } minimize)
            session.Reporter.Verbose($"minimize: removed {CustomizeMinimize.Apply(root, minimize)} paths");
    }

    public Task BeforePackAsync(CancellationToken ct) => RunStepsAsync(RunStage.BeforePack, ct);

    /// <summary>
    /// The image's apt sources from [[image_sources]], their key files installed under /etc/apt/keyrings; null
    /// when the recipe names none (the image then names the mirrors the build used).
    /// </summary>
    /// <param name="defaultSignedBy">The archive keyring the default sources name.</param>
    public IReadOnlyList<AptSource>? ImageSources(string? defaultSignedBy)
    {
        if (_c.ImageSources.Count == 0) return null;
        return _c.ImageSources.Select((s, i) =>
        {
            var signedBy = s.SignedBy ?? defaultSignedBy;
            if (s.KeySource is { } key)
            {
                var rel = "etc/apt/keyrings/" + Path.GetFileName(key);
                _files.Add(CustomizeFiles.WriteFile(root, rel, File.ReadAllBytes(key), 0x1A4, 0, 0, $"image_sources[{i}].key"));
                signedBy = "/" + rel;
            }
            return new AptSource(["deb"], s.Uris, s.Suites, s.Components, signedBy);
        }).ToList();
    }

    private async Task RunStepsAsync(RunStage stage, CancellationToken ct)
    {
        foreach (var step in _c.Run.Where(s => s.Stage == stage))
        {
            var stageName = RunStep.StageName(stage);
            var sw = Stopwatch.StartNew();
            await RunCheckedAsync($"run {step.Name}", ["/bin/sh", "-ec", step.Command],
                $"run step '{step.Name}' ({stageName})", step.Network, ct).ConfigureAwait(false);
            session.Reporter.Verbose($"run {step.Name} ({stageName}): done in {sw.Elapsed.TotalSeconds:F2} s");
            _steps.Add(new ManifestRunStep(step.Name, stageName, step.Command, step.Network));
        }
    }

    /// <summary>
    /// One command in the sandbox; its output goes to the build log prefixed by <paramref name="label"/>. A step with
    /// the network gets the host's resolv.conf for its run when the root has none (removed afterwards).
    /// </summary>
    private async Task RunCheckedAsync(string label, IReadOnlyList<string> command, string description, bool network, CancellationToken ct)
    {
        session.Reporter.Step("install", description);
        var lines = new BoundedLog(400);
        var chroot = Chroot(label).WithOutput(line => { lines.Add(line); session.Reporter.Verbose($"{label}: {line}"); });
        var resolv = network && !RootFs.Exists(root, "etc/resolv.conf") && File.Exists("/etc/resolv.conf");
        if (resolv) RootFs.WriteText(root, "etc/resolv.conf", File.ReadAllText("/etc/resolv.conf"));
        try
        {
            var result = await chroot.RunAsync(command, description, ct, network).ConfigureAwait(false);
            if (!result.Succeeded)
                throw new InstallException(
                    $"{description} failed with exit code {result.ExitCode}. Last output:\n  " +
                    string.Join("\n  ", lines.Tail(40).Split('\n')) +
                    "\nThe step ran in the build sandbox" + (network ? " with the host's network" : " without network (set network = true if it needs one)") + ".");
        }
        finally
        {
            if (resolv) RootFs.Delete(root, "etc/resolv.conf");
        }
    }
}
