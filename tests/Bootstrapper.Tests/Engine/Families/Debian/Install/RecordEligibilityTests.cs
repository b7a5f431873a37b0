using Bootstrapper.Engine.Families.Debian.Install;
using Bootstrapper.Tests.Engine.Archives;

namespace Bootstrapper.Tests.Engine.Families.Debian.Install;

/// <summary>When dpkg must unpack packages itself rather than have us extract and record them.</summary>
public sealed class RecordEligibilityTests : IDisposable
{
    private readonly TempDir _temp = new();
    private readonly string _root;

    public RecordEligibilityTests()
    {
        _root = _temp.Sub("root");
        Directory.CreateDirectory(Path.Combine(_root, "var/lib/dpkg/triggers"));
        Directory.CreateDirectory(Path.Combine(_root, "usr/bin"));
        Directory.CreateDirectory(Path.Combine(_root, "usr/share/doc"));
        File.WriteAllText(Path.Combine(_root, "usr/bin/taken"), "x");
        File.CreateSymbolicLink(Path.Combine(_root, "bin"), "usr/bin");
    }

    public void Dispose() => _temp.Dispose();

    private static (string, IReadOnlyList<PackageMember>) Package(string name, params string[] paths) =>
        (name, paths.Select(p => new PackageMember(p.TrimEnd('/'), p.EndsWith('/'))).ToList());

    private string? Reason(params (string, IReadOnlyList<PackageMember>)[] packages) => RecordEligibility.ReasonForDpkg(_root, packages);

    [Fact]
    public void New_files_in_shared_directories_are_ours_to_record() =>
        Assert.Null(Reason(Package("a", "usr/", "usr/bin/", "usr/bin/a", "usr/share/doc/", "usr/share/doc/a/"), Package("b", "usr/", "usr/bin/", "usr/bin/b")));

    [Fact]
    public void A_file_already_in_the_root_is_left_to_dpkg_also_through_a_symlinked_parent()
    {
        Assert.Equal("a ships /usr/bin/taken, which is already in the root", Reason(Package("a", "usr/bin/taken")));
        Assert.Equal("a ships /bin/taken, which is already in the root", Reason(Package("a", "bin/taken")));
    }

    [Fact]
    public void The_same_file_in_two_packages_is_left_to_dpkg() =>
        Assert.Equal("b and a both ship /usr/bin/same", Reason(Package("a", "usr/bin/same"), Package("b", "usr/bin/same")));

    [Fact]
    public void Diverted_paths_and_their_targets_are_left_to_dpkg()
    {
        File.WriteAllText(Path.Combine(_root, "var/lib/dpkg/diversions"), "/usr/bin/sh\n/usr/bin/sh.distrib\ndash\n");
        Assert.Equal("a ships /usr/bin/sh, and /usr/bin/sh is diverted", Reason(Package("a", "usr/bin/sh")));
        Assert.Equal("a ships /usr/bin/sh.distrib, and /usr/bin/sh.distrib is diverted", Reason(Package("a", "usr/bin/sh.distrib")));
        Assert.Null(Reason(Package("a", "usr/bin/shell")));
    }

    [Fact]
    public void Paths_under_a_registered_file_trigger_are_left_to_dpkg()
    {
        File.WriteAllText(Path.Combine(_root, "var/lib/dpkg/triggers/File"), "/usr/share/debianutils/shells.d debianutils/noawait\n");
        Assert.Equal("a ships /usr/share/debianutils/shells.d, which activates the file trigger on /usr/share/debianutils/shells.d",
            Reason(Package("a", "usr/share/debianutils/", "usr/share/debianutils/shells.d/", "usr/share/debianutils/shells.d/a")));
        Assert.Null(Reason(Package("a", "usr/share/debianutils/", "usr/share/debianutils/other")));
    }

    [Fact]
    public void An_owner_name_the_root_numbers_differently_is_left_to_dpkg()
    {
        Directory.CreateDirectory(Path.Combine(_root, "etc"));
        File.WriteAllText(Path.Combine(_root, "etc/passwd"), "root:x:0:0:root:/root:/bin/bash\n_apt:x:42:65534::/nonexistent:/usr/sbin/nologin\n");
        File.WriteAllText(Path.Combine(_root, "etc/group"), "root:x:0:\nsystemd-journal:x:999:\n");
        static (string, IReadOnlyList<PackageMember>) Owned(string user, int uid, string group, int gid) =>
            ("a", [new PackageMember("var/log/a", false, user, uid, group, gid)]);

        Assert.Null(Reason(Owned("root", 0, "root", 0)));
        Assert.Null(Reason(Owned("_apt", 42, "nogroup", 65534)));        // a name the root does not know: the number counts
        Assert.Null(Reason(Owned("", 1234, "", 1234)));                   // no names at all
        Assert.Equal("a ships /var/log/a owned by group systemd-journal, which is gid 999 in the root, not 101",
            Reason(Owned("root", 0, "systemd-journal", 101)));
        Assert.Equal("a ships /var/log/a owned by _apt, which is uid 42 in the root, not 100",
            Reason(Owned("_apt", 100, "root", 0)));
    }

    [Fact]
    public void Essential_owners_are_checked_against_base_passwd_master_files()
    {
        Directory.CreateDirectory(Path.Combine(_root, "usr/share/base-passwd"));
        File.WriteAllText(Path.Combine(_root, "usr/share/base-passwd/passwd.master"), "root:*:0:0:root:/root:/bin/bash\nmail:*:8:8:mail:/var/mail:/usr/sbin/nologin\n");
        File.WriteAllText(Path.Combine(_root, "usr/share/base-passwd/group.master"), "root:*:0:\nshadow:*:42:\n");

        Assert.Null(RecordEligibility.EssentialOwnerMismatch(_root,
            [new("root", 0, "root", 0), new("root", 0, "shadow", 42), new("mail", 8, "mail", 8), new("", 7, "", 7)]));
        Assert.Equal("group shadow, which is gid 42 in the root, not 43",
            RecordEligibility.EssentialOwnerMismatch(_root, [new("root", 0, "root", 0), new("root", 0, "shadow", 43)]));
    }

    [Fact]
    public void A_path_with_a_stat_override_is_left_to_dpkg()
    {
        File.WriteAllText(Path.Combine(_root, "var/lib/dpkg/statoverride"), "root crontab 2755 /usr/bin/crontab\n");
        Assert.Equal("a ships /usr/bin/crontab, whose owner and mode dpkg-statoverride sets", Reason(Package("a", "usr/bin/crontab")));
        Assert.Null(Reason(Package("a", "usr/bin/other")));
    }
}
