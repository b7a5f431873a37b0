using Bootstrapper.Core;
using Bootstrapper.Engine.Os.Files;

namespace Bootstrapper.Engine.Families.Debian.Install;

/// <summary>
/// Keeps maintainer scripts from starting daemons while packages are configured, and restores the real files
/// afterwards (debootstrap's second_stage_install, mmdebstrap's setup_mounts):
/// <list type="bullet">
/// <item><c>/usr/sbin/policy-rc.d</c> exiting 101 ("action forbidden") makes invoke-rc.d and
/// deb-systemd-invoke skip every start. No package ships this file.</item>
/// <item><c>start-stop-daemon</c> is replaced by a script that does nothing. Unlike debootstrap and mmdebstrap,
/// which rename the file and could be overwritten when dpkg itself is unpacked again, we register a local
/// dpkg diversion: dpkg then unpacks the real binary to the diverted name and our stub stays in place.</item>
/// </list>
/// </summary>
internal sealed class ChrootGuards
{
    public const string PolicyRcD = "usr/sbin/policy-rc.d";
    public const string DivertedSuffix = ".REAL";

    private readonly string _root;
    private readonly ChrootRunner _chroot;
    private readonly string? _startStopDaemon;   // absolute path inside the root, as dpkg knows it

    /// <param name="startStopDaemon">
    /// The path dpkg's package ships start-stop-daemon at ("/sbin/start-stop-daemon" in bookworm,
    /// "/usr/sbin/start-stop-daemon" later), or null when no package in the set ships it.
    /// </param>
    public ChrootGuards(string root, ChrootRunner chroot, string? startStopDaemon)
    {
        _root = root;
        _chroot = chroot;
        _startStopDaemon = startStopDaemon;
    }

    /// <summary>Writes policy-rc.d (from the host: no process needed).</summary>
    public void InstallPolicy()
    {
        RootFs.WriteText(_root, PolicyRcD,
            "#!/bin/sh\n# Installed by bootstrap while packages are configured: start no services.\nexit 101\n", 0x1ED);
    }

    /// <summary>
    /// Shell commands, run in the chroot, that divert start-stop-daemon away and put the stub in its place; silent
    /// on success. Empty when no package ships start-stop-daemon. Meant to be prefixed to another chroot script so
    /// that the guard costs no process start of its own.
    /// </summary>
    public string InstallScript() => _startStopDaemon is null ? "" :
        $"dpkg-divert --quiet --local --rename --divert {Word(_startStopDaemon + DivertedSuffix)} --add {Word(_startStopDaemon)} || exit 1\n" +
        $"printf '%s\\n' '#!/bin/sh' 'echo \"Warning: Fake start-stop-daemon called, doing nothing\" >&2' 'exit 0' > {Word(_startStopDaemon)} || exit 1\n" +
        $"chmod 0755 {Word(_startStopDaemon)} || exit 1\n";

    private static string Word(string text) => ShellWords.Quote(text);

    /// <summary>Shell commands that remove the stub and the diversion (the real binary moves back); silent on success.</summary>
    public string RemoveScript() => _startStopDaemon is null ? "" :
        $"rm -f {Word(_startStopDaemon)} || exit 1\n" +
        $"dpkg-divert --quiet --local --rename --divert {Word(_startStopDaemon + DivertedSuffix)} --remove {Word(_startStopDaemon)} || exit 1\n";

    /// <summary>Removes policy-rc.d (after <see cref="RemoveScript"/> ran).</summary>
    public void RemovePolicy()
    {
        if (RootFs.TryLstat(_root, PolicyRcD, out var policy) && !policy.IsDirectory) RootFs.Delete(_root, PolicyRcD);
    }

    public async Task InstallAsync(CancellationToken ct)
    {
        InstallPolicy();
        if (_startStopDaemon is null) return;
        await _chroot.RunCheckedAsync(["/bin/sh", "-c", InstallScript()], "dpkg-divert (start-stop-daemon guard)", ct).ConfigureAwait(false);
    }

    /// <summary>Removes the stub and the diversion (the real binary moves back) and policy-rc.d.</summary>
    public async Task RemoveAsync(CancellationToken ct)
    {
        if (_startStopDaemon is not null)
            await _chroot.RunCheckedAsync(["/bin/sh", "-c", RemoveScript()], "dpkg-divert --remove (start-stop-daemon guard)", ct)
                .ConfigureAwait(false);
        RemovePolicy();
    }
}
