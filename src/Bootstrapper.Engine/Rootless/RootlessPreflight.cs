using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Rootless;
using Bootstrapper.Engine.Os.Processes;

namespace Bootstrapper.Engine.Rootless;

/// <summary>
/// What an unprivileged build needs, checked before anything is downloaded: newuidmap and newgidmap, a block of
/// subordinate ids for the user, and user namespaces this process may create (tried for real: a kernel sysctl, an
/// AppArmor rule or a container's seccomp profile can each forbid them, and only trying tells). Each gap is one
/// message naming what to configure, exit code 2.
/// </summary>
internal sealed class RootlessPreflight
{
    public string SubuidFile { get; init; } = "/etc/subuid";
    public string SubgidFile { get; init; } = "/etc/subgid";
    public string NewUidMap { get; init; } = "/usr/bin/newuidmap";
    public string NewGidMap { get; init; } = "/usr/bin/newgidmap";
    public string MaxUserNamespaces { get; init; } = "/proc/sys/user/max_user_namespaces";
    public string UnprivilegedUsernsClone { get; init; } = "/proc/sys/kernel/unprivileged_userns_clone";

    /// <summary>Throws <see cref="ExitCodes.UsageOrRecipe"/> naming the first thing that is missing.</summary>
    public async Task CheckAsync(string user, uint uid, CancellationToken ct)
    {
        if (ReadKnob(MaxUserNamespaces) == "0")
            throw Refuse($"user namespaces are switched off here ({MaxUserNamespaces} is 0): as root, " +
                "sysctl -w user.max_user_namespaces=15000 (and keep it in /etc/sysctl.d), or run the build as root.");
        if (uid != 0 && ReadKnob(UnprivilegedUsernsClone) == "0")
            throw Refuse($"this kernel lets only root create user namespaces ({UnprivilegedUsernsClone} is 0): as root, " +
                "sysctl -w kernel.unprivileged_userns_clone=1 (and keep it in /etc/sysctl.d), or run the build as root.");
        foreach (var tool in new[] { NewUidMap, NewGidMap })
            if (!File.Exists(tool))
                throw Refuse($"{tool} is missing: install the Debian package uidmap (it maps the subordinate ids).");
        CheckRange(SubuidFile, "subuids", user, uid);
        CheckRange(SubgidFile, "subgids", user, uid);
        await ProbeAsync(ct).ConfigureAwait(false);
    }

    private static string? ReadKnob(string path)
    {
        try { return File.ReadAllText(path).Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    private static void CheckRange(string file, string kind, string user, uint uid)
    {
        var text = File.Exists(file) ? File.ReadAllText(file) : "";
        var range = SubordinateIds.FirstRange(text, user, uid);
        if (range is { Count: >= SubordinateIds.Needed }) return;
        var found = range is { } r ? $"its first range in {file} has only {r.Count} ids" : $"{file} has no range for it";
        throw Refuse(
            $"building without root needs {SubordinateIds.Needed} subordinate ids for user {user} (uid {uid}), but {found}. " +
            $"As root: usermod --add-{kind} 100000-165535 {user} (any free block of 65536 works; see subuid(5)), " +
            "or run the build as root.");
    }

    /// <summary>Creates a user namespace the way the build will (unshare --map-auto --map-root-user) and runs `true`.</summary>
    private static async Task ProbeAsync(CancellationToken ct)
    {
        var spec = new ProcessSpec(RootlessLauncher.Unshare, [.. RootlessLauncher.UnshareArguments, "--", "/bin/true"],
            new Dictionary<string, string> { ["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin" }, "user namespace probe");
        var result = await ProcessRunner.RunAsync(spec, null, ct).ConfigureAwait(false);
        if (result.Succeeded) return;
        var said = string.Join(" ", result.LastLines).Trim();
        throw Refuse(
            $"this process may not create a user namespace ({RootlessLauncher.Unshare} said: {said}). " +
            "Check, as root: sysctl user.max_user_namespaces (must be > 0), kernel.unprivileged_userns_clone (Debian " +
            "kernels: must be 1), kernel.apparmor_restrict_unprivileged_userns (Ubuntu: 0, or an AppArmor profile " +
            "allowing userns). Inside a container the engine's seccomp profile usually forbids unshare: run it with " +
            "--security-opt seccomp=unconfined (podman, docker) or build as root in a privileged container.");
    }

    private static BootstrapException Refuse(string message) => new(ExitCodes.UsageOrRecipe, message);
}
