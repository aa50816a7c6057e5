using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Brigade.Auto;

namespace Brigade.Cli.Run;

/// <summary>
/// Reads what a running command has used from <c>/proc</c> (Linux), summed over its process group (each command leads a
/// group of its own, and the programs a shell, a script or <c>make</c> runs are in it): each process's user and system time
/// and that of the children it has waited for (<c>stat</c>'s <c>utime + stime + cutime + cstime</c>, in clock ticks of
/// 10 ms), its time waiting for a core (<c>schedstat</c>'s second field, its main thread's), and whether any process of the
/// group is running or ready to run (state <c>R</c>).
/// </summary>
/// <remarks>
/// For auto mode while commands run (<see cref="IExternalCpuSource"/>); once a command is over its CPU time comes from
/// <c>wait4</c>, exact. One scan of <c>/proc</c> serves every group read within <see cref="GroupScanInterval"/>; it reads
/// only processes whose id is at least the lowest group asked for (a child's id is higher than its parent's), so the host's
/// older processes cost one directory entry each; and, when the kernel's ids have wrapped around since (the last id it
/// gave, <c>/proc/loadavg</c>'s last field, is below that floor), the processes started since the wrap as well (see
/// <see cref="InScan"/>). A process that exited and was waited for by a process outside the group is not counted.
/// </remarks>
internal static partial class ProcessCpuClock
{
    /// <summary>How long one scan of <c>/proc</c> serves group reads.</summary>
    public static readonly TimeSpan GroupScanInterval = TimeSpan.FromMilliseconds(20);

    // A group missing from a scan younger than this (a command started since) waits for the next one.
    private static readonly TimeSpan RescanAfter = TimeSpan.FromMilliseconds(2);

    private static readonly long TicksPerClockTick = ClockTickLength();
    private static readonly Lock ScanGate = new();
    private static Dictionary<int, GroupUse> _groups = [];
    private static long _scannedAt;
    private static int _scanFloor = int.MaxValue;
    private static int _lowestAsked = int.MaxValue;

    // The lowest scan floor at which the kernel's last id was seen below the floor (ids wrapped since the processes from
    // there up started); int.MaxValue: never. Kept for the process: rare, and then a scan reads more, never less.
    private static int _wrappedAtFloor = int.MaxValue;

    /// <summary>Reads group <paramref name="pgid"/>; false when it cannot be read (its leader gone, not Linux).</summary>
    public static bool TryReadGroup(int pgid, out ExternalCpuReading reading)
    {
        reading = default;
        if (!OperatingSystem.IsLinux() || pgid <= 0)
        {
            return false;
        }

        lock (ScanGate)
        {
            // The scan's floor: the lowest group asked for since the last scan (the commands still read).
            _lowestAsked = Math.Min(_lowestAsked, pgid);
            var now = Stopwatch.GetTimestamp();
            var age = _scannedAt == 0 ? TimeSpan.MaxValue : Stopwatch.GetElapsedTime(_scannedAt, now);
            if (age >= GroupScanInterval || pgid < _scanFloor || (!_groups.ContainsKey(pgid) && age >= RescanAfter))
            {
                _scanFloor = _lowestAsked;
                _groups = Scan(_scanFloor);
                _scannedAt = now;
                _lowestAsked = pgid;
            }

            if (!_groups.TryGetValue(pgid, out var use))
            {
                return false;
            }

            reading = new ExternalCpuReading(TimeSpan.FromTicks(use.Ticks * TicksPerClockTick), TimeSpan.FromTicks(use.RunDelayNs / 100), use.Runnable);
            return true;
        }
    }

    /// <summary>
    /// Whether process <paramref name="pid"/> can belong to a group led by a process whose id is at least
    /// <paramref name="floor"/>: ids are given in increasing order, so a child's is above its group leader's, unless the
    /// ids wrapped around after the leader started (<paramref name="wrapped"/>: the last id given was once seen below a
    /// floor no higher than this one). While the last id given (<paramref name="lastPid"/>) is still below the floor, the
    /// processes up to it started after the wrap; once the ids have climbed past the floor again, any id below it may be.
    /// </summary>
    internal static bool InScan(int pid, int floor, int lastPid, bool wrapped) =>
        pid >= floor || (wrapped && (lastPid >= floor || pid <= lastPid));

    // The processes that can be in a group led from floor up (InScan), summed by process group.
    private static Dictionary<int, GroupUse> Scan(int floor)
    {
        var groups = new Dictionary<int, GroupUse>();
        var lastPid = LastPid();
        if (lastPid > 0 && lastPid < floor)
        {
            _wrappedAtFloor = Math.Min(_wrappedAtFloor, floor);
        }

        var wrapped = floor >= _wrappedAtFloor;
        try
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                var name = Path.GetFileName(dir.AsSpan());
                if (name.Length == 0 || !char.IsAsciiDigit(name[0]) || !int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || !InScan(pid, floor, lastPid, wrapped))
                {
                    continue;
                }

                if (TryReadStat(pid, out var cpu, out var pgid, out var state) && pgid >= floor)
                {
                    var sum = groups.GetValueOrDefault(pgid);
                    groups[pgid] = new GroupUse(sum.Ticks + cpu, sum.RunDelayNs + RunDelayNanoseconds(pid), sum.Runnable || state == (byte)'R');
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // /proc unreadable: no group is known.
        }

        return groups;
    }

    // The last process id the kernel gave in this process's pid namespace (/proc/loadavg's last field); 0 when not known.
    private static int LastPid()
    {
        Span<byte> buffer = stackalloc byte[128];
        int length;
        try
        {
            using var handle = File.OpenHandle("/proc/loadavg");
            length = RandomAccess.Read(handle, buffer, 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }

        var text = buffer[..length].TrimEnd((byte)'\n');
        var space = text.LastIndexOf((byte)' ');
        return space >= 0 && int.TryParse(text[(space + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0;
    }

    // Reads /proc/PID/stat: the fields after the command name (which may hold spaces and parentheses, so the last ')' ends it).
    // The state is its letter (R running, Z zombie, ...). Also ProcessGroup's and ProcessTree's.
    internal static bool TryReadStat(int pid, out long cpu, out int pgid, out byte state) => TryReadStat(pid, out cpu, out _, out pgid, out state);

    /// <summary>Reads /proc/PID/stat with the parent's id (ProcessTree's scan of every process).</summary>
    internal static bool TryReadStat(int pid, out long cpu, out int parent, out int pgid, out byte state)
    {
        cpu = 0;
        parent = 0;
        pgid = 0;
        state = 0;
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
            if (field == 3)
            {
                state = part[0];
            }
            else if (field == 4 && int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var ppid))
            {
                parent = ppid;
            }
            else if (field == 5 && int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var group))
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

    /// <summary>Reads <c>/proc/PID/schedstat</c>'s second field: the process's (its main thread's) time ready to run but
    /// waiting for a core, in nanoseconds; 0 when not known (a kernel without schedstats, not Linux). Readable until the
    /// process is reaped.</summary>
    public static long RunDelayNanoseconds(int pid)
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        Span<byte> buffer = stackalloc byte[128];
        int length;
        try
        {
            using var handle = File.OpenHandle($"/proc/{pid}/schedstat");
            length = RandomAccess.Read(handle, buffer, 0);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Gone, or /proc not readable here: not known. (Also called on the event loop's thread, which must not fail.)
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

    private readonly record struct GroupUse(long Ticks, long RunDelayNs, bool Runnable);
}
