using Bootstrapper.Engine.Families.Debian.Finalize;
using Bootstrapper.Engine.Families.Debian.Install;

namespace Bootstrapper.Tests.Engine.Families.Debian.Finalize;

/// <summary>
/// After packages are in the root, a package or a maintainer script may have made any directory a symlink, also an
/// absolute one. What the host then writes or deletes in the root (the dpkg database, finalizing) must follow such
/// links as the chroot would, inside the root, and never touch the host's own files.
/// </summary>
public sealed class HostSideSymlinkTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("bootstrap-hostside-").FullName;
    private readonly string _root;
    private readonly string _host;   // stands for the host's files: must stay exactly as they are

    public HostSideSymlinkTests()
    {
        _root = Path.Combine(_work, "root");
        _host = Path.Combine(_work, "host");
        Directory.CreateDirectory(_root);
        Directory.CreateDirectory(Path.Combine(_host, "log"));
        File.WriteAllText(Path.Combine(_host, "log", "dpkg.log"), "host log\n");
        File.WriteAllText(Path.Combine(_host, "hostname"), "host\n");
        File.WriteAllText(Path.Combine(_host, "machine-id"), "0123456789abcdef\n");
    }

    public void Dispose() => Directory.Delete(_work, true);

    private List<string> HostState() =>
        Directory.EnumerateFileSystemEntries(_host, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(p => p + (File.Exists(p) ? ":" + File.ReadAllText(p) : "")).ToList();

    [Fact]
    public void Finalizing_follows_absolute_links_inside_the_root()
    {
        Directory.CreateDirectory(Path.Combine(_root, "var/lib/dpkg"));
        // Absolute links: for the chroot they name the root's own /host...; for the host, the host's files.
        File.CreateSymbolicLink(Path.Combine(_root, "etc"), _host);
        File.CreateSymbolicLink(Path.Combine(_root, "var/log"), Path.Combine(_host, "log"));
        var before = HostState();

        Finalizer.Finalize(new FinalizeOptions
        {
            RootDirectory = _root,
            Suite = "bookworm",
            Hostname = "image",
            SourceDateEpoch = 1_700_000_000,
            Sources = [new AptSource(["deb"], ["http://mirror.example.invalid/debian"], ["bookworm"], ["main"], "/usr/share/keyrings/k.gpg")],
        });

        Assert.Equal(before, HostState());
        // The writes landed where the chroot sees /etc: ROOT + the link's absolute target.
        Assert.Equal("image\n", File.ReadAllText(Path.Combine(_root, _host.TrimStart('/'), "hostname")));
    }

    [Fact]
    public void The_dpkg_database_is_written_inside_the_root_through_a_hostile_var_lib()
    {
        Directory.CreateDirectory(Path.Combine(_root, "var"));
        File.CreateSymbolicLink(Path.Combine(_root, "var/lib"), _host);
        var before = HostState();

        InstallDpkgDatabase.Write(_root);
        DpkgUnpackRecord.WriteFileList(_root, "demo", ["/.", "/usr"]);

        Assert.Equal(before, HostState());
        Assert.True(File.Exists(Path.Combine(_root, _host.TrimStart('/'), "dpkg/status")));
        Assert.True(File.Exists(Path.Combine(_root, _host.TrimStart('/'), "dpkg/info/demo.list")));
    }
}
