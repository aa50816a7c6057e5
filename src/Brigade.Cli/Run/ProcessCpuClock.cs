using System.Globalization;
using System.Runtime.InteropServices;

namespace Brigade.Cli.Run;

/// <summary>
/// Reads the CPU time of a running command from <c>/proc</c> (Linux): of one process, or of every process of a process
/// group (a shell and the programs it runs). Each process counts its user and system time and that of the children it
/// has waited for (<c>stat</c>'s <c>utime + stime + cutime + cstime</c>, in clock ticks of 10 ms), and its time waiting
/// for a core (<c>schedstat</c>'s second field, its main thread's, in nanoseconds).
/// </summary>
/// <remarks>
/// For auto mode while a command runs (<see cref="Brigade.Auto.IExternalCpuSource"/>), a few reads per command at most:
/// once a command is over, its CPU time comes from <c>wait4</c>, exact. A group's figure comes from one scan of
/// <c>/proc</c>, shared by every group read within <see cref="GroupScanInterval"/> (a scan reads every process's stat).
/// A process that exited and was waited for by a process outside the group is not counted.
/// </remarks>
internal static partial class ProcessCpuClock
{
    /// <summary>How long one scan of <c>/proc</c> serves group reads.</summary>
    public static readonly TimeSpan GroupScanInterval = TimeSpan.FromMilliseconds(10);

    private static readonly long TicksPerClockTick = ClockTickLength();
    private static readonly Lock ScanGate = new();
    private static Dictionary<int, (long Ticks, long RunDelayNs)> _groups = [];
    private static long _scannedAt;

    /// <summary>Reads the CPU time of process <paramref name="pid"/> and its time waiting for a core; false when it cannot be
    /// read (gone, not Linux).</summary>
    public static bool TryReadProcess(int pid, out TimeSpan cpu, out TimeSpan runQueue)
    {
        runQueue = TimeSpan.Zero;
        if (!TryRead(pid, out var ticks, out _))
        {
            cpu = TimeSpan.Zero;
            return false;
        }

        cpu = TimeSpan.FromTicks(ticks * TicksPerClockTick);
        runQueue = TimeSpan.FromTicks(RunDelayNanoseconds(pid) / 100);
        return true;
    }

    /// <summary>Reads the CPU time of every process in group <paramref name="pgid"/> and their time waiting for a core; false
    /// when the group's leader cannot be read.</summary>
    public static bool TryReadGroup(int pgid, out TimeSpan cpu, out TimeSpan runQueue)
    {
        cpu = TimeSpan.Zero;
        runQueue = TimeSpan.Zero;
        if (!TryRead(pgid, out _, out _))
        {
            return false;
        }

        lock (ScanGate)
        {
            var now = System.Diagnostics.Stopwatch.GetTimestamp();
            if (_scannedAt == 0 || System.Diagnostics.Stopwatch.GetElapsedTime(_scannedAt, now) >= GroupScanInterval)
            {
                _groups = Scan();
                _scannedAt = now;
            }

            if (!_groups.TryGetValue(pgid, out var group))
            {
                return false;
            }

            cpu = TimeSpan.FromTicks(group.Ticks * TicksPerClockTick);
            runQueue = TimeSpan.FromTicks(group.RunDelayNs / 100);
            return true;
        }
    }

    // Every process's CPU clock and run-queue wait, summed by process group.
    private static Dictionary<int, (long Ticks, long RunDelayNs)> Scan()
    {
        var groups = new Dictionary<int, (long Ticks, long RunDelayNs)>();
        try
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                var name = Path.GetFileName(dir.AsSpan());
                if (name.Length == 0 || !char.IsAsciiDigit(name[0]) || !int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                {
                    continue;
                }

                if (TryRead(pid, out var cpu, out var pgid))
                {
                    var sum = groups.GetValueOrDefault(pgid);
                    groups[pgid] = (sum.Ticks + cpu, sum.RunDelayNs + RunDelayNanoseconds(pid));
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // /proc unreadable: no group is known.
        }

        return groups;
    }

    // /proc/PID/schedstat's second field: the process's (its main thread's) time ready to run but waiting for a core, in
    // nanoseconds; 0 when not known (a kernel without schedstats).
    private static long RunDelayNanoseconds(int pid)
    {
        Span<byte> buffer = stackalloc byte[128];
        int length;
        try
        {
            using var handle = File.OpenHandle($"/proc/{pid}/schedstat");
            length = RandomAccess.Read(handle, buffer, 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }

        var text = buffer[..length];
        var field = 0;
        foreach (var range in text.Split((byte)' '))
        {
            if (++field == 2)
            {
                return long.TryParse(text[range], NumberStyles.None, CultureInfo.InvariantCulture, out var ns) ? ns : 0;
            }
        }

        return 0;
    }

    // Reads /proc/PID/stat: the fields after the command name (which may hold spaces and parentheses, so the last ')' ends it).
    private static bool TryRead(int pid, out long cpu, out int pgid)
    {
        cpu = 0;
        pgid = 0;
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        Span<byte> buffer = stackalloc byte[1024];
        int length;
        try
        {
            using var handle = File.OpenHandle($"/proc/{pid}/stat");
            length = RandomAccess.Read(handle, buffer, 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        var text = buffer[..length];
        var close = text.LastIndexOf((byte)')');
        if (close < 0)
        {
            return false;
        }

        // After ')': state(3) ppid(4) pgrp(5) session tty_nr tpgid flags minflt cminflt majflt cmajflt utime(14) stime cutime cstime(17).
        var rest = text[(close + 1)..];
        var field = 2;
        long sum = 0;
        foreach (var range in rest.Split((byte)' '))
        {
            var part = rest[range];
            if (part.Length == 0)
            {
                continue;
            }

            field++;
            if (field == 5 && int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var group))
            {
                pgid = group;
            }
            else if (field is >= 14 and <= 17 && long.TryParse(part, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ticks))
            {
                sum += Math.Max(0, ticks);
            }
            else if (field > 17)
            {
                break;
            }
        }

        cpu = sum;
        return field > 17 && pgid != 0;
    }

    // sysconf(_SC_CLK_TCK): the unit of /proc's CPU clocks (USER_HZ, 100 on Linux's common architectures).
    private static long ClockTickLength()
    {
        long hz = 0;
        try
        {
            hz = OperatingSystem.IsLinux() ? sysconf(ScClkTck) : 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // The common value below.
        }

        return TimeSpan.TicksPerSecond / (hz > 0 ? hz : 100);
    }

    private const int ScClkTck = 2;

    [LibraryImport("libc")]
    private static partial long sysconf(int name);
}
