using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Families.Debian.Install;

namespace Bootstrapper.EndToEnd.Install;

/// <summary>
/// What a hostile maintainer script tries, run through the real sandbox in a tiny root (busybox-static and a
/// static escape program built here with cc): each way out of the root ends in the sandbox's empty jail, and a
/// sentinel tree on the host is untouched.
/// </summary>
public sealed class SandboxEscapeTests : IDisposable
{
    private readonly BusyboxRoot _box = new();
    private readonly HostSentinel _sentinel = new();

    public void Dispose()
    {
        _box.Dispose();
        _sentinel.Dispose();
    }

    private async Task<List<string>> RunAsync(params string[] command)
    {
        var lines = new List<string>();
        var runner = new ChrootRunner(_box.Root, null, null).WithOutput(l => { lock (lines) lines.Add(l); });
        var r = await runner.RunAsync(command, "attack", CancellationToken.None);
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: " + string.Join("\n", lines));
        return lines;
    }

    /// <summary>The classic chroot() escape: chroot into a subdirectory, walk up past it, chroot there.</summary>
    private const string EscapeSource = """
        #include <stdio.h>
        #include <dirent.h>
        #include <sys/stat.h>
        #include <unistd.h>
        int main(int argc, char **argv) {
            mkdir("/escape", 0700);
            if (chroot("/escape") != 0) { perror("chroot"); return 2; }
            for (int i = 0; i < 256; i++) chdir("..");
            if (chroot(".") != 0) { perror("chroot ."); return 2; }
            DIR *d = opendir("/");
            for (struct dirent *e; d && (e = readdir(d));) if (e->d_name[0] != '.') printf("escaped-sees %s\n", e->d_name);
            FILE *f = fopen(argv[1], "w");
            printf(f ? "wrote %s\n" : "cannot write %s\n", argv[1]);
            return 0;
        }
        """;

    [Fact]
    public async Task The_chroot_escape_ends_in_the_empty_jail()
    {
        var before = _sentinel.Fingerprint();
        var source = Path.Combine(_sentinel.Directory, "..", Path.GetFileName(_box.Root) + "-escape.c");
        File.WriteAllText(source, EscapeSource);
        try
        {
            HostTools.RunOk("/usr/bin/cc", "-static", "-O1", "-o", Path.Combine(_box.Root, "bin/escape"), source);
        }
        finally
        {
            File.Delete(source);
        }
        var target = Path.Combine(_sentinel.Directory, "written-by-the-escape");
        var lines = await RunAsync("/bin/escape", target);
        // The jail holds the root's mount point and nothing else; the host's root was detached.
        Assert.Equal(["escaped-sees root", $"cannot write {target}"], lines);
        Assert.Equal(before, _sentinel.Fingerprint());
    }

    [Fact]
    public async Task Proc_1_root_is_the_read_only_jail_and_ischroot_sees_a_chroot()
    {
        var before = _sentinel.Fingerprint();
        var lines = await RunAsync("sh", "-c",
            "ls -a /proc/1/root; " +
            $"echo x > /proc/1/root{_sentinel.Directory}/precious || echo no-host-path; " +
            "echo x > /proc/1/root/planted || echo jail-read-only; " +
            // ischroot's own test: / and /proc/1/root differ, and both can be read.
            "[ \"$(stat -L -c %d:%i /)\" != \"$(stat -L -c %d:%i /proc/1/root)\" ] && echo in-a-chroot");
        Assert.Equal([".", "..", "root", "no-host-path", "jail-read-only", "in-a-chroot"],
            lines.Where(l => !l.StartsWith("sh:", StringComparison.Ordinal)));
        Assert.Equal(before, _sentinel.Fingerprint());
    }

    [Fact]
    public async Task Capabilities_are_a_container_build_step_s_and_mounts_devices_and_network_are_out_of_reach()
    {
        foreach (var applet in new[] { "mount", "mknod", "head", "stat" })
            File.CreateSymbolicLink(Path.Combine(_box.Root, "bin", applet), "busybox");
        var lines = await RunAsync("sh", "-c",
            "grep -E '^(CapBnd|CapEff|CapInh|CapAmb|NoNewPrivs):' /proc/self/status; " +
            "mount -t tmpfs none /bin 2>/dev/null || echo mount-refused; " +
            // The host's disk as a block device node: creating it is allowed (images may ship nodes), using it not.
            "mknod /disk b 254 0 && { head -c 1 /disk >/dev/null 2>&1 || echo disk-unusable; }; " +
            "echo into-the-void > /dev/null && echo dev-null-works; " +
            "cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' '");
        Assert.Equal(
            ["CapInh:\t0000000000000000", "CapEff:\t00000000a80425fb", "CapBnd:\t00000000a80425fb",
             "CapAmb:\t0000000000000000", "NoNewPrivs:\t1", "mount-refused", "disk-unusable", "dev-null-works", "lo"],
            lines.Where(l => !l.StartsWith("CapPrm", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_symbolic_link_as_the_root_is_refused_and_not_followed()
    {
        var link = _box.Root + "-link";
        File.CreateSymbolicLink(link, _box.Root);
        try
        {
            var runner = new ChrootRunner(link, null, null);
            var ex = await Assert.ThrowsAsync<InstallException>(() => runner.RunAsync(["true"], "probe", CancellationToken.None));
            Assert.Contains($"probe: the sandbox for {link} could not be set up: bootstrap-sandbox: the root {link} is not a directory " +
                "(a symbolic link there is never followed)", ex.Message);
        }
        finally
        {
            File.Delete(link);
        }
    }
}
