using System.Globalization;

namespace Bootstrapper.Core.Rootless;

/// <summary>A block of subordinate user or group ids: host ids <c>Start</c> to <c>Start + Count - 1</c>.</summary>
internal readonly record struct IdRange(uint Start, uint Count);

/// <summary>
/// /etc/subuid and /etc/subgid (shadow's format, subuid(5)): one <c>USER:START:COUNT</c> per line, USER a login name
/// or a numeric id. newuidmap and `unshare --map-auto` take the user's first line, so that is the one that counts.
/// </summary>
internal static class SubordinateIds
{
    /// <summary>
    /// Ids an image needs inside the user namespace besides root: 1 to 65535 (nobody is 65534, and Debian's dynamic
    /// system ids end below 65000). `unshare --map-auto` maps the first range to ids 1..COUNT.
    /// </summary>
    public const uint Needed = 65535;

    /// <summary>The first range of <paramref name="user"/> (by name or by <paramref name="uid"/>), or null.</summary>
    public static IdRange? FirstRange(string fileText, string user, uint uid)
    {
        var id = uid.ToString(CultureInfo.InvariantCulture);
        foreach (var raw in fileText.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            var f = line.Split(':');
            if (f.Length != 3 || (f[0] != user && f[0] != id)) continue;
            if (uint.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out var start) &&
                uint.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                return new IdRange(start, count);
        }
        return null;
    }
}
