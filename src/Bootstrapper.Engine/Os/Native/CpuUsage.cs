using System.Runtime.InteropServices;

namespace Bootstrapper.Engine.Os.Native;

/// <summary>
/// CPU time used so far by this process and by its waited-for children (dpkg and maintainer scripts in the chroot),
/// from getrusage(2). On a shared, loaded machine wall time mostly measures the neighbours; CPU seconds per phase
/// say where the work is.
/// </summary>
internal static partial class CpuUsage
{
    private const int RusageSelf = 0;
    private const int RusageChildren = -1;

    [LibraryImport("libc.so.6", EntryPoint = "getrusage", SetLastError = true)]
    private static partial int GetRusage(int who, Span<long> usage);

    /// <summary>User plus system CPU time of this process and of its terminated, waited-for children.</summary>
    public static (TimeSpan Self, TimeSpan Children) Now() => (Read(RusageSelf), Read(RusageChildren));

    private static TimeSpan Read(int who)
    {
        // struct rusage on 64-bit Linux: ru_utime and ru_stime (struct timeval: seconds, microseconds), then 14 longs.
        Span<long> usage = stackalloc long[18];
        if (GetRusage(who, usage) != 0) return TimeSpan.Zero;
        long micros = (usage[0] + usage[2]) * 1_000_000 + usage[1] + usage[3];
        return TimeSpan.FromMicroseconds(micros);
    }
}

/// <summary>CPU time between successive laps, formatted for progress lines ("cpu 1.2 s + 3.4 s children").</summary>
internal sealed class CpuMeter
{
    private (TimeSpan Self, TimeSpan Children) _last = CpuUsage.Now();

    public string Lap()
    {
        var now = CpuUsage.Now();
        var text = $"cpu {(now.Self - _last.Self).TotalSeconds:F1} s + {(now.Children - _last.Children).TotalSeconds:F1} s children";
        _last = now;
        return text;
    }
}
