namespace Bootstrapper.Engine.Debian;

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
public sealed class ChrootGuards
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

    private string HostPath(string inRoot) => Path.Combine(_root, inRoot.TrimStart('/'));

    public async Task InstallAsync(CancellationToken ct)
    {
        var policy = HostPath(PolicyRcD);
        Directory.CreateDirectory(Path.GetDirectoryName(policy)!);
        await File.WriteAllTextAsync(policy, "#!/bin/sh\n# Installed by bootstrap while packages are configured: start no services.\nexit 101\n", ct).ConfigureAwait(false);
        ChrootFiles.SetMode(policy, 0x1ED);

        if (_startStopDaemon is null) return;
        await _chroot.RunCheckedAsync(
            ["dpkg-divert", "--local", "--rename", "--divert", _startStopDaemon + DivertedSuffix, "--add", _startStopDaemon],
            "dpkg-divert (start-stop-daemon guard)", ct).ConfigureAwait(false);
        var stub = HostPath(_startStopDaemon);
        await File.WriteAllTextAsync(stub,
            "#!/bin/sh\necho \"Warning: Fake start-stop-daemon called, doing nothing\" >&2\nexit 0\n", ct).ConfigureAwait(false);
        ChrootFiles.SetMode(stub, 0x1ED);
    }

    /// <summary>Removes the stub and the diversion (the real binary moves back) and policy-rc.d.</summary>
    public async Task RemoveAsync(CancellationToken ct)
    {
        if (_startStopDaemon is not null)
        {
            var stub = HostPath(_startStopDaemon);
            if (File.Exists(stub)) File.Delete(stub);
            await _chroot.RunCheckedAsync(
                ["dpkg-divert", "--local", "--rename", "--divert", _startStopDaemon + DivertedSuffix, "--remove", _startStopDaemon],
                "dpkg-divert --remove (start-stop-daemon guard)", ct).ConfigureAwait(false);
        }
        var policy = HostPath(PolicyRcD);
        if (File.Exists(policy)) File.Delete(policy);
    }
}
