using System.Globalization;
using Bootstrapper.Engine.Os.Files;

namespace Bootstrapper.Engine.Families.Debian.Finalize;

/// <summary>
/// Clamps field 3 of /etc/shadow ("date of last password change", in days since 1970-01-01, shadow(5)) to the
/// day of SOURCE_DATE_EPOCH. bookworm's shadow tools (pwconv in passwd's postinst) honour SOURCE_DATE_EPOCH, which
/// the installer passes through; this step makes the result independent of that and covers entries written by
/// scripts that call other tools. Only values later than the epoch's day are changed.
/// </summary>
internal static class FinalizeShadow
{
    /// <returns>How many entries were changed.</returns>
    /// <param name="relative">The shadow file inside <paramref name="root"/> ("etc/shadow").</param>
    public static int ClampLastChange(string root, string relative, long sourceDateEpoch)
    {
        if (RootFs.ReadText(root, relative) is not { } text) return 0;
        var day = sourceDateEpoch / 86400;
        var lines = text.Split('\n');
        var changed = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var f = lines[i].Split(':');
            if (f.Length < 3 || f[2].Length == 0) continue;
            if (!long.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var d) || d <= day) continue;
            f[2] = day.ToString(CultureInfo.InvariantCulture);
            lines[i] = string.Join(':', f);
            changed++;
        }
        if (changed > 0)
        {
            // Rewrite in place: keeps the owner (root:shadow) and mode (0640) the package gave the file.
            RootFs.Rewrite(root, relative, string.Join('\n', lines));
        }
        return changed;
    }
}
