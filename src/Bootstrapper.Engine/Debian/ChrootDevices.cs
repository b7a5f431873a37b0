using System.Runtime.InteropServices;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Engine.Debian;

/// <summary>
/// Creates the minimal static /dev of a container image: the nodes systemd allows in containers (debootstrap's
/// setup_devices_simple, mmdebstrap's device table), the pts and shm mount points and the /proc/self/fd links.
/// The host's /dev is never bind-mounted, so nothing of the host leaks into the root and there is nothing to
/// unmount. The same entries end up in the final image, as in the official images.
/// </summary>
public static class ChrootDevices
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

    private const uint S_IFCHR = 0x2000;
    private const int DeviceMode = 0x1B6;   // 0666
    private const int DirMode = 0x1ED;      // 0755

    [DllImport("libc", EntryPoint = "mknod", SetLastError = true)]
    private static extern int MkNod(string path, uint mode, ulong dev);

    /// <summary>glibc's gnu_dev_makedev: 12 bits of major and 20 of minor, split around the historic 8:8 layout.</summary>
    internal static ulong MakeDev(uint major, uint minor) =>
        ((ulong)(major & 0x00000fffu) << 8) | ((ulong)(major & 0xfffff000u) << 32) |
        (minor & 0x000000ffu) | ((ulong)(minor & 0xffffff00u) << 12);

    /// <summary>Creates ROOT/dev and its entries; existing correct entries are kept, anything else is an error.</summary>
    public static void Create(string root)
    {
        var dev = ChrootFiles.DirectoryInRoot(root, "dev"); // a package's dev symlink is followed inside the root
        ChrootFiles.SetMode(dev, DirMode);
        foreach (var (name, major, minor) in CharDevices)
        {
            var path = Path.Combine(dev, name);
            if (!Exists(path))
            {
                if (MkNod(path, S_IFCHR | 0x1B6, MakeDev(major, minor)) != 0 && !CreateStandIn(path))
                    throw new InstallException(
                        $"Cannot create the device node {path} ({major},{minor}): errno {Marshal.GetLastPInvokeError()}. " +
                        "mknod needs root with CAP_MKNOD on a file system mounted without 'nodev'.");
            }
            // mknod applies the umask; set the mode the images are expected to carry.
            ChrootFiles.SetMode(path, DeviceMode);
        }
        foreach (var d in Directories)
        {
            var path = ChrootFiles.DirectoryInRoot(root, Path.GetRelativePath(root, dev) + "/" + d);
            ChrootFiles.SetMode(path, DirMode);
        }
        foreach (var (name, target) in Links)
        {
            var path = Path.Combine(dev, name);
            var info = new FileInfo(path);
            if (info.LinkTarget == target) continue;
            if (Exists(path))
                throw new InstallException($"{path} exists but is not a symbolic link to {target}; remove it or start from an empty root.");
            File.CreateSymbolicLink(path, target);
        }
    }

    /// <summary>Archive names of the nodes, for <see cref="Archives.PackOptions.CharDeviceStandIns"/>.</summary>
    public static IReadOnlyDictionary<string, (uint Major, uint Minor)> StandInsForPacking =>
        CharDevices.ToDictionary(d => "./dev/" + d.Name, d => (d.Major, d.Minor));

    /// <summary>
    /// In an unprivileged build's user namespace mknod is not allowed: an empty file stands in for the node, the
    /// sandbox binds the host's device over it while scripts run, and the packer writes the node into the tar.
    /// </summary>
    private static bool CreateStandIn(string path)
    {
        if (Marshal.GetLastPInvokeError() != 1 /* EPERM */ || !Rootless.UserNamespace.IsInside) return false;
        using (new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = (UnixFileMode)0x1B6 }))
        {
        }
        return true;
    }

    private static bool Exists(string path) => File.Exists(path) || Directory.Exists(path) || new FileInfo(path).LinkTarget != null;
}
