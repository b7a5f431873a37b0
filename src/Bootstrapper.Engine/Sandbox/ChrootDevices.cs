using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Os.Files;
using Bootstrapper.Engine.Os.Native;
using Bootstrapper.Engine.Output;
using Bootstrapper.Engine.Rootless;

namespace Bootstrapper.Engine.Sandbox;

/// <summary>
/// Creates the minimal static /dev of a container image: the nodes systemd allows in containers (debootstrap's
/// setup_devices_simple, mmdebstrap's device table), the pts and shm mount points and the /proc/self/fd links.
/// The host's /dev is never bind-mounted, so nothing of the host leaks into the root and there is nothing to
/// unmount. The same entries end up in the final image, as in the official images.
/// </summary>
internal static class ChrootDevices
{
    /// <summary>Character devices: name, major, minor. All mode 0666, owner root:root (as debootstrap/mmdebstrap).</summary>
    public static readonly IReadOnlyList<(string Name, uint Major, uint Minor)> CharDevices =
    [
        ("console", 5, 1), ("full", 1, 7), ("null", 1, 3), ("ptmx", 5, 2),
        ("random", 1, 8), ("tty", 5, 0), ("urandom", 1, 9), ("zero", 1, 5),
    ];

    /// <summary>Symbolic links: name, target.</summary>
    public static readonly IReadOnlyList<(string Name, string Target)> Links =
    [
        ("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2"),
    ];

    /// <summary>Empty directories (mount points for devpts and tmpfs in a running container).</summary>
    public static readonly IReadOnlyList<string> Directories = ["pts", "shm"];

    private const uint DeviceMode = 0x1B6;   // 0666
    private const uint DirMode = 0x1ED;      // 0755

    /// <summary>glibc's gnu_dev_makedev: 12 bits of major and 20 of minor, split around the historic 8:8 layout.</summary>
    internal static ulong MakeDev(uint major, uint minor) => LibC.MakeDev(major, minor);

    /// <summary>
    /// Creates ROOT/dev and its entries; existing correct entries are kept, anything else is an error. Everything
    /// goes through <see cref="RootFs"/>: a package may ship dev, or dev/null, as a link to a host path, and neither
    /// the node's creation nor its chmod may follow it.
    /// </summary>
    public static void Create(string root)
    {
        // A package's dev symlink is followed inside the root; the entries are then named by the real directory.
        var dev = Path.GetRelativePath(root, RootFs.DirectoryInRoot(root, "dev"));
        RootFs.SetMode(root, dev, DirMode);
        // A user namespace (an unprivileged build) cannot mknod: an empty file stands in for each node, the sandbox
        // binds the host's device over it while scripts run, and the packer writes the node (StandInsForPacking).
        var standIns = UserNamespace.IsInside;
        foreach (var (name, major, minor) in CharDevices)
        {
            var rel = dev + "/" + name;
            if (RootFs.TryLstat(root, rel, out var s))
            {
                if ((s.Type != LibC.S_IFCHR || s.RdevMajor != major || s.RdevMinor != minor) && !(standIns && IsStandIn(s)))
                    throw new InstallException(
                        $"/{rel} exists but is not the character device {major},{minor}; a package shipped something else " +
                        "there. Remove that package from the recipe or start from an empty root.");
                RootFs.SetMode(root, rel, DeviceMode); // the mode the images are expected to carry (never through a link)
            }
            else if (standIns)
            {
                RootFs.WriteFile(root, rel, [], DeviceMode);
            }
            else
            {
                try
                {
                    RootFs.MakeCharDevice(root, rel, major, minor, DeviceMode);
                }
                catch (IOException e)
                {
                    throw new InstallException(
                        $"Cannot create the device node /{rel} ({major},{minor}): {e.Message}. " +
                        "mknod needs root with CAP_MKNOD on a file system mounted without 'nodev'.", e);
                }
            }
        }
        foreach (var d in Directories)
        {
            var path = Path.GetRelativePath(root, RootFs.DirectoryInRoot(root, dev + "/" + d));
            RootFs.SetMode(root, path, DirMode);
        }
        foreach (var (name, target) in Links)
        {
            var rel = dev + "/" + name;
            if (RootFs.LinkTarget(root, rel) == target) continue;
            if (RootFs.Exists(root, rel))
                throw new InstallException($"/{rel} exists but is not a symbolic link to {target}; remove it or start from an empty root.");
            RootFs.CreateSymlink(root, rel, target);
        }
    }

    /// <summary>Archive names of the nodes, for <see cref="PackOptions.CharDeviceStandIns"/>.</summary>
    public static IReadOnlyDictionary<string, (uint Major, uint Minor)> StandInsForPacking =>
        CharDevices.ToDictionary(d => "./dev/" + d.Name, d => (d.Major, d.Minor));

    private static bool IsStandIn(FileStatus s) => s.Type == LibC.S_IFREG && s.Size == 0;
}
