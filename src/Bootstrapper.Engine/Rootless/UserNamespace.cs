using System.Globalization;
using Bootstrapper.Engine.Os.Native;

namespace Bootstrapper.Engine.Rootless;

/// <summary>Whether this process is the re-executed build inside its user namespace, and who really runs it.</summary>
internal static class UserNamespace
{
    /// <summary>Set by <see cref="RootlessLauncher"/> for the re-executed build: the invoking user's host uid.</summary>
    public const string Marker = "BOOTSTRAP_USERNS_UID";

    /// <summary>True in the build's own user namespace (the marker is set and uid 0 is not the host's root).</summary>
    public static bool IsInside => ReadMarker() is not null && !IsIdentityMap(ReadUidMap());

    /// <summary>This process's effective uid (0 inside the build's namespace).</summary>
    public static uint EffectiveUid => LibC.Geteuid();

    /// <summary>The user the build runs for: the invoking user's host uid (also inside the namespace).</summary>
    public static uint RealUid => IsInside ? ReadMarker()!.Value : LibC.Geteuid();

    /// <summary>
    /// The id the kernel shows for owners outside the namespace's map (overflowuid, 65534 by default): inside the
    /// namespace the host's root owns /, /dev/shm and the rest of the path to the staging directory under it.
    /// </summary>
    public static uint OverflowUid
    {
        get
        {
            try
            {
                return uint.Parse(File.ReadAllText("/proc/sys/kernel/overflowuid").Trim(), CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
            {
                return 65534;
            }
        }
    }

    /// <summary>True for the initial namespace's map ("0 0 4294967295"): no user namespace at all.</summary>
    internal static bool IsIdentityMap(string uidMap)
    {
        var lines = uidMap.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return lines.Length == 1 && lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["0", "0", "4294967295"];
    }

    private static string ReadUidMap()
    {
        try { return File.ReadAllText("/proc/self/uid_map"); }
        catch (IOException) { return ""; }
    }

    private static uint? ReadMarker() =>
        uint.TryParse(Environment.GetEnvironmentVariable(Marker), NumberStyles.None, CultureInfo.InvariantCulture, out var uid)
            ? uid : null;
}
