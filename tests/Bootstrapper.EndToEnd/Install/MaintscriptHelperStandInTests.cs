using Bootstrapper.Engine.Families.Debian.Install;
using Bootstrapper.Engine.Sandbox;

namespace Bootstrapper.EndToEnd.Install;

/// <summary>
/// The stand-in for dpkg-maintscript-helper and deb-systemd-helper against the real helpers (the host's dpkg 1.21 and
/// init-system-helpers, in a small root made of the host's own programs): for every call, run in the sandbox once
/// with the real helpers and once with the stand-in bound over them, the exit code, the output and the root's files
/// afterwards must be the same; and the stand-in must answer the first-install no-ops itself and hand everything
/// else to the real script (the root's basename and perl, which only the real helpers start, count the hand-overs).
/// </summary>
public sealed class MaintscriptHelperStandInTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("bootstrap-standin-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static readonly string[] Programs =
        ["dash", "basename", "dpkg", "dpkg-query", "md5sum", "sed", "mv", "rm", "readlink", "realpath", "grep", "ln", "rmdir", "cat",
         "mkdir", "touch", "perl"];

    private static readonly Lazy<string> Template = new(() => MakeTemplate(Directory.CreateTempSubdirectory("bootstrap-standin-template-").FullName));

    private string MakeRoot(string name)
    {
        string root = Path.Combine(_work, name);
        // Hard links: the calls only add, rename and remove entries, never write into a file of the template.
        HostTools.RunOk("/usr/bin/cp", "-al", Template.Value, root);
        return root;
    }

    /// <summary>The host's programs and their libraries (Perl's base library too), both helpers and dpkg's shell
    /// library, and a database in which package foo owns the conffile /etc/foo.conf (md5sum of "old\n").</summary>
    private static string MakeTemplate(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "usr/bin"));
        foreach (var link in new[] { "bin", "lib", "lib64", "sbin" })
            if (new FileInfo("/" + link).LinkTarget is { } target) File.CreateSymbolicLink(Path.Combine(root, link), target);
        var files = new SortedSet<string>(StringComparer.Ordinal)
            { "/usr/bin/dpkg-maintscript-helper", "/usr/share/dpkg/sh/dpkg-error.sh", "/usr/bin/dpkg-realpath", "/usr/bin/deb-systemd-helper" };
        foreach (var program in Programs)
        {
            files.Add("/usr/bin/" + program);
            foreach (var line in HostTools.RunOk("/usr/bin/ldd", "/usr/bin/" + program).Split('\n'))
                if (line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(w => w.StartsWith('/')) is { } lib)
                    files.Add(lib.StartsWith("/usr/", StringComparison.Ordinal) ? lib : "/usr" + lib);   // merged-/usr: /lib is usr/lib
        }
        foreach (var file in files) HostTools.RunOk("/usr/bin/cp", "-L", "--parents", file, root);
        HostTools.RunOk("/usr/bin/cp", "-a", "--parents", "/usr/lib/x86_64-linux-gnu/perl-base", root);
        // The chroot's LC_ALL, which every Debian root has (libc-bin): without it Perl warns on every start.
        HostTools.RunOk("/usr/bin/cp", "-a", "--parents", "/usr/lib/locale/C.utf8", root);
        File.CreateSymbolicLink(Path.Combine(root, "usr/bin/sh"), "dash");
        Directory.CreateDirectory(Path.Combine(root, "proc"));
        Directory.CreateDirectory(Path.Combine(root, "tmp"));
        Directory.CreateDirectory(Path.Combine(root, "var/lib/dpkg/info"));
        Directory.CreateDirectory(Path.Combine(root, "var/lib/dpkg/updates"));
        Directory.CreateDirectory(Path.Combine(root, "etc"));
        File.WriteAllText(Path.Combine(root, "var/lib/dpkg/status"),
            "Package: foo\nStatus: install ok installed\nVersion: 0.9\nArchitecture: all\nMaintainer: T <t@example.org>\n" +
            "Conffiles:\n /etc/foo.conf 814fa5ca98406a903e22b43d9b610105\nDescription: d\n\n");
        File.WriteAllText(Path.Combine(root, "var/lib/dpkg/info/foo.list"), "/etc\n/etc/foo.conf\n");
        // Only the real helpers start basename and perl: each start leaves a line.
        foreach (var program in new[] { "basename", "perl" })
        {
            File.Move(Path.Combine(root, "usr/bin", program), Path.Combine(root, "usr/bin", program + ".real"));
            File.WriteAllText(Path.Combine(root, "usr/bin", program),
                $"#!/bin/sh\necho x >> /tmp/real-helper-ran\nexec /usr/bin/{program}.real \"$@\"\n");
            File.SetUnixFileMode(Path.Combine(root, "usr/bin", program), (UnixFileMode)0x1ED);
        }
        Directory.CreateDirectory(Path.Combine(root, "lib/systemd/system"));
        File.WriteAllText(Path.Combine(root, "lib/systemd/system/x.timer"), "[Timer]\nOnCalendar=daily\n[Install]\nWantedBy=timers.target\n");
        ChrootDevices.Create(root);
        return root;
    }

    private static readonly SandboxCommand.StandIn HelperStandIn =
        new(MaintscriptHelperStandIn.Program, MaintscriptHelperStandIn.PathInRoot, MaintscriptHelperStandIn.Descriptor);
    private static readonly SandboxCommand.StandIn SystemdHelperStandIn =
        new(MaintscriptHelperStandIn.Program, MaintscriptHelperStandIn.SystemdHelperPathInRoot, MaintscriptHelperStandIn.SystemdHelperDescriptor);

    private sealed record Outcome(int ExitCode, string Output, string Files, bool RealHelperRan);

    private static async Task<Outcome> Call(string root, string script, string setup, string call, bool standIn, string[] extraEnvironment)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["DPKG_MAINTSCRIPT_NAME"] = script,
            ["DPKG_MAINTSCRIPT_PACKAGE"] = "foo",
        };
        foreach (var kv in extraEnvironment) env[kv.Split('=')[0]] = kv[(kv.IndexOf('=') + 1)..];
        var output = new List<string>();
        var runner = new ChrootRunner(root, null, l => { if (!l.StartsWith("# chroot:", StringComparison.Ordinal)) output.Add(l); });
        var setupResult = await runner.RunAsync(["/bin/sh", "-c", "cd / && " + setup], "setup", CancellationToken.None);
        Assert.Equal(0, setupResult.ExitCode);
        output.Clear();
        SandboxCommand.StandIn[] stand = standIn ? [HelperStandIn, SystemdHelperStandIn] : [];
        var result = await runner.RunAsync(["/bin/sh", "-c", call], "helper", CancellationToken.None,
            standIns: stand, extraEnvironment: env);
        bool ran = File.Exists(Path.Combine(root, "tmp/real-helper-ran"));
        File.Delete(Path.Combine(root, "tmp/real-helper-ran"));
        var files = HostTools.RunOk("/usr/bin/find", Path.Combine(root, "etc"), Path.Combine(root, "usr/share"), Path.Combine(root, "var/lib"),
            "-printf", "%y %P %l\n");
        return new Outcome(result.ExitCode, string.Join("\n", output), files, ran);
    }

    public static TheoryData<string, string, string, string, bool> Cases() => new()
    {
        // script, file-system setup, call, extra environment (;-separated), answered by the stand-in itself
        { "preinst", "true", "dpkg-maintscript-helper rm_conffile /etc/foo.conf 1.0~ -- install", "", true },
        { "preinst", "echo old > /etc/foo.conf", "dpkg-maintscript-helper rm_conffile /etc/foo.conf 1.0~ foo -- install", "", true },
        { "postinst", "true", "dpkg-maintscript-helper rm_conffile /etc/foo.conf 1:1.0-2~deb12u1 -- configure ''", "", true },
        { "postinst", "true", "dpkg-maintscript-helper rm_conffile /etc/foo.conf -- configure", "", true },
        { "preinst", "true", "dpkg-maintscript-helper dir_to_symlink /usr/share/zoneinfo/posix/US ../US 2022g-1~ -- install", "", true },
        { "postinst", "true", "dpkg-maintscript-helper dir_to_symlink /usr/share/zoneinfo/posix/US/ ../US 2022g-1~ -- configure ''", "", true },
        { "preinst", "true", "dpkg-maintscript-helper symlink_to_dir /usr/share/doc/foo bar 5.30.0-1 foo -- install", "", true },
        { "postinst", "true", "dpkg-maintscript-helper symlink_to_dir /usr/share/doc/foo bar 5.30.0-1 foo -- configure ''", "", true },
        // an upgrade: the conffile is moved away (unchanged: .dpkg-remove; changed: .dpkg-backup)
        { "preinst", "echo old > /etc/foo.conf", "dpkg-maintscript-helper rm_conffile /etc/foo.conf 1.0~ -- upgrade 0.9", "", false },
        { "preinst", "echo mine > /etc/foo.conf", "dpkg-maintscript-helper rm_conffile /etc/foo.conf 1.0~ -- install 0.9", "", false },
        { "postinst", "echo old > /etc/foo.conf.dpkg-remove", "dpkg-maintscript-helper rm_conffile /etc/foo.conf 1.0~ -- configure 0.9", "", false },
        { "postrm", "echo old > /etc/foo.conf.dpkg-bak", "dpkg-maintscript-helper rm_conffile /etc/foo.conf 1.0~ -- purge", "", false },
        // a switch to finish whatever the old version: a backup is left
        { "postinst", "mkdir -p /usr/share/x.dpkg-backup /usr/share/x && echo > /usr/share/x/.dpkg-staging-dir",
            "dpkg-maintscript-helper dir_to_symlink /usr/share/x ../y 1~ -- configure ''", "", false },
        { "postinst", "mkdir -p /usr/share/doc && ln -s bar /usr/share/doc/foo.dpkg-backup",
            "dpkg-maintscript-helper symlink_to_dir /usr/share/doc/foo bar 1~ -- configure ''", "", false },
        // errors and everything outside the no-op forms
        { "preinst", "true", "dpkg-maintscript-helper rm_conffile /etc/foo.conf 'bad version' -- install", "", false },
        { "preinst", "true", "dpkg-maintscript-helper rm_conffile /etc/foo.conf 1.0:2 -- install", "", false },
        { "preinst", "true", "dpkg-maintscript-helper rm_conffile /etc/foo.conf a1.0 -- install", "", false },
        { "preinst", "true", "dpkg-maintscript-helper rm_conffile /etc/foo.conf 1.0- -- install", "", false },
        { "preinst", "true", "dpkg-maintscript-helper rm_conffile etc/foo.conf 1.0~ -- install", "", false },
        { "preinst", "true", "dpkg-maintscript-helper rm_conffile /etc/foo.conf 1.0~ install", "", false },
        { "preinst", "true", "dpkg-maintscript-helper rm_conffile /etc/foo.conf 1.0~ --", "", false },
        { "preinst", "true", "dpkg-maintscript-helper dir_to_symlink / ../US 1~ -- install", "", false },
        { "preinst", "true", "dpkg-maintscript-helper symlink_to_dir /usr/share/doc/foo/ bar 1~ -- install", "", false },
        { "preinst", "true", "dpkg-maintscript-helper mv_conffile /etc/a /etc/b 1~ -- install", "", false },
        { "preinst", "true", "dpkg-maintscript-helper supports rm_conffile", "", false },
        { "preinst", "true", "dpkg-maintscript-helper frobnicate", "", false },
        { "preinst", "true", "dpkg-maintscript-helper rm_conffile /etc/foo.conf 1.0~ -- install", "DPKG_DEBUG=1", false },
        { "preinst", "true", "dpkg-maintscript-helper rm_conffile /etc/foo.conf 1.0~ -- install", "DPKG_MAINTSCRIPT_PACKAGE=", false },
        { "postinst", "true", "dpkg-maintscript-helper rm_conffile /etc/foo.conf 1.0~ -- configure ''", "DPKG_ROOT=/", false },
        { "config", "true", "dpkg-maintscript-helper rm_conffile /etc/foo.conf 1.0~ -- configure ''", "", false },
        // deb-systemd-helper: a first install's unmask and --quiet was-enabled
        { "postinst", "true", "deb-systemd-helper unmask x.timer", "", true },
        { "postinst", "true", "deb-systemd-helper --quiet was-enabled x.timer", "", true },
        { "postinst", "true", "deb-systemd-helper was-enabled x.timer", "", false },
        { "postinst", "true", "deb-systemd-helper enable x.timer", "", false },
        { "postinst", "mkdir -p /etc/systemd/system /var/lib/systemd/deb-systemd-helper-masked && ln -s /dev/null /etc/systemd/system/x.timer " +
            "&& touch /var/lib/systemd/deb-systemd-helper-masked/x.timer", "deb-systemd-helper unmask x.timer", "", false },
        { "postinst", "mkdir -p /var/lib/systemd/deb-systemd-helper-masked", "deb-systemd-helper unmask x.timer", "", false },
        { "postinst", "mkdir -p /var/lib/systemd/deb-systemd-helper-enabled && " +
            "echo /etc/systemd/system/timers.target.wants/x.timer > /var/lib/systemd/deb-systemd-helper-enabled/x.timer.dsh-also",
            "deb-systemd-helper --quiet was-enabled x.timer", "", false },
        { "postinst", "true", "deb-systemd-helper unmask ../x.timer", "", false },
        { "postinst", "true", "deb-systemd-helper unmask x.timer y.timer", "", false },
        { "postinst", "true", "deb-systemd-helper unmask x.timer", "DPKG_MAINTSCRIPT_PACKAGE=", false },
        { "postinst", "true", "deb-systemd-helper --quiet was-enabled x.timer", "_DEB_SYSTEMD_HELPER_DEBUG=1", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_stand_in_answers_first_install_no_ops_and_otherwise_gives_what_the_real_helper_gives(
        string script, string setup, string call, string environment, bool answeredByStandIn)
    {
        var extra = environment.Split(';', StringSplitOptions.RemoveEmptyEntries);
        var real = await Call(MakeRoot("real"), script, setup, call, standIn: false, extra);
        var stood = await Call(MakeRoot("stand-in"), script, setup, call, standIn: true, extra);
        Assert.True(real.RealHelperRan);
        Assert.Equal(real.ExitCode, stood.ExitCode);
        Assert.Equal(real.Output, stood.Output);
        Assert.Equal(real.Files, stood.Files);
        Assert.Equal(!answeredByStandIn, stood.RealHelperRan);
        if (answeredByStandIn) Assert.Equal((0, ""), (real.ExitCode, real.Output));
    }

    [Fact]
    public async Task The_stand_in_is_read_only_and_leaves_nothing_in_the_root()
    {
        string root = MakeRoot("read-only");
        var before = HostTools.ContentManifest(root);
        var output = new List<string>();
        var runner = new ChrootRunner(root, null, output.Add);
        var r = await runner.RunAsync(["/bin/sh", "-c", "echo > /usr/bin/dpkg-maintscript-helper || rm -f /usr/bin/dpkg-maintscript-helper || echo refused"],
            "write", CancellationToken.None, standIns: [HelperStandIn]);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("refused", output);
        Assert.Equal(before, HostTools.ContentManifest(root));
    }
}
