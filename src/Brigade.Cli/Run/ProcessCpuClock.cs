using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Brigade.Auto;

namespace Brigade.Cli.Run;

/// <summary>
/// Reads what a running command has used from <c>/proc</c> (Linux), summed over its live process tree: the command's first
/// process (brigade's child, the leader of a group of its own) and every process below it, those that moved to a group of
/// their own included (<c>timeout</c>, <c>setsid</c>, a shell's job control); each process's user and system time and that
/// of the children it has waited for (<c>stat</c>'s <c>utime + stime + cutime + cstime</c>, in clock ticks of 10 ms), its
/// time waiting for a core (<c>schedstat</c>'s second field, its main thread's), and whether any process of the tree is
/// running or ready to run (state <c>R</c>).
/// </summary>
/// <remarks>
/// For auto mode while commands run (<see cref="IExternalCpuSource"/>); once a command is over its CPU time comes from
/// <c>wait4</c>, exact. One scan of <c>/proc</c> serves every command read within <see cref="GroupScanInterval"/>; it reads
/// only processes whose id is at least the lowest command asked for (a child's id is higher than its parent's), so the
/// host's older processes cost one directory entry each; and, when the kernel's ids have wrapped around since (the last id
/// it gave, <c>/proc/loadavg</c>'s last field, is below that floor), the processes started since the wrap as well (see
/// <see cref="InScan"/>). A process belongs to the command its parents lead up to (brigade's child); each is counted once:
/// one that exits and is waited for by its parent moves its time into that parent's <c>cutime</c>. One that left the tree
/// (its parent exited: it went to init or a subreaper) still counts for the command it was seen in (by id and start time),
/// and its last seen time stays counted once it is gone. A process no reading saw in the tree (not below the command's
/// first process, not seen there before) counts for its process group, as before auto69.
/// Before auto69 the reading was the command's process group only, and <c>timeout 3 sh -c 'while :; do :; done'</c> (whose
/// <c>timeout</c> moves to a group of its own) read as waiting: 6 of them planned Async ×64.
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

    // The processes the last scan counted for a command (by id): the command, the process's start time, its CPU then, and
    // whether its parent was then in the command's tree (when it is gone, its parent waited for it: its time is in the
    // parent's cutime) or not (it left the tree: its time goes with it, and its last seen time is kept in _departed).
    private static Dictionary<int, Member> _members = [];

    // Per command: the CPU ticks of its processes that left its tree and are gone, and when the command was last seen.
    private static Dictionary<int, Departed> _departed = [];

    // How long what a command's processes used is kept for a command no scan has seen (its reading fell below the floor).
    private static readonly TimeSpan ForgetAfter = TimeSpan.FromSeconds(60);

    private static readonly int Self = Environment.ProcessId;

    // TreeRoot's path (under ScanGate).
    private static readonly List<int> WalkPath = [];

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

    // The processes that can be in a command's tree from floor up (InScan), summed by command (see the class's remarks).
    private static Dictionary<int, GroupUse> Scan(int floor)
    {
        var lastPid = LastPid();
        if (lastPid > 0 && lastPid < floor)
        {
            _wrappedAtFloor = Math.Min(_wrappedAtFloor, floor);
        }

        var wrapped = floor >= _wrappedAtFloor;
        var procs = new Dictionary<int, Proc>();
        try
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                var name = Path.GetFileName(dir.AsSpan());
                if (name.Length == 0 || !char.IsAsciiDigit(name[0]) || !int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || !InScan(pid, floor, lastPid, wrapped))
                {
                    continue;
                }

                if (TryReadStat(pid, out var cpu, out var parent, out var pgid, out var state, out var start))
                {
                    procs[pid] = new Proc(parent, pgid, cpu, state, start);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // /proc unreadable: what was read so far.
        }

        return Attribute(procs, floor, lastPid, wrapped, Stopwatch.GetTimestamp());
    }

    // Sums the processes read by command, and keeps _members and _departed (see the class's remarks).
    private static Dictionary<int, GroupUse> Attribute(Dictionary<int, Proc> procs, int floor, int lastPid, bool wrapped, long now)
    {
        var groups = new Dictionary<int, GroupUse>();
        var roots = new Dictionary<int, int>(procs.Count);
        var members = new Dictionary<int, Member>();
        foreach (var (pid, p) in procs)
        {
            var root = TreeRoot(pid, procs, roots);
            var counted = root != 0;
            if (!counted)
            {
                if (_members.TryGetValue(pid, out var was) && was.Start == p.Start && procs.ContainsKey(was.Root))
                {
                    root = was.Root; // left the tree (its parent exited), still the command's
                    counted = true;
                }
                else if (p.Pgid >= floor)
                {
                    root = p.Pgid; // before auto69's reading: its group
                }
                else
                {
                    continue;
                }
            }

            var sum = groups.GetValueOrDefault(root);
            groups[root] = new GroupUse(sum.Ticks + p.Cpu, sum.RunDelayNs + RunDelayNanoseconds(pid), sum.Runnable || p.State == (byte)'R');
            if (counted)
            {
                var parentInTree = procs.ContainsKey(p.Parent) && roots.GetValueOrDefault(p.Parent) == root;
                members[pid] = new Member(root, p.Start, p.Cpu, parentInTree, now);
            }
        }

        // The processes counted before and gone now: one whose parent was in the tree was waited for there (its time is in
        // that parent's cutime); one that had left it took its time along, which is kept.
        foreach (var (pid, was) in _members)
        {
            if (members.ContainsKey(pid) || (procs.TryGetValue(pid, out var p) && p.Start == was.Start))
            {
                continue;
            }

            if (!procs.ContainsKey(pid) && !InScan(pid, floor, lastPid, wrapped) && Stopwatch.GetElapsedTime(was.SeenAt, now) < ForgetAfter)
            {
                members[pid] = was; // not read this time (below the floor): kept for a while
            }
            else if (!was.ParentInTree)
            {
                var d = _departed.GetValueOrDefault(was.Root);
                _departed[was.Root] = d with { Ticks = d.Ticks + was.Cpu, SeenAt = now };
            }
        }

        var departed = new Dictionary<int, Departed>();
        foreach (var (root, d) in _departed)
        {
            if (groups.TryGetValue(root, out var sum))
            {
                groups[root] = sum with { Ticks = sum.Ticks + d.Ticks };
                departed[root] = d with { SeenAt = now };
            }
            else if (!procs.ContainsKey(root) && !InScan(root, floor, lastPid, wrapped) && Stopwatch.GetElapsedTime(d.SeenAt, now) < ForgetAfter)
            {
                departed[root] = d; // not read this time (below the floor): kept for a while
            }
        }

        _members = members;
        _departed = departed;
        return groups;
    }

    // The command process pid belongs to: the first of its ancestors (itself included) whose parent is this process; 0 when
    // its parents lead elsewhere (init, a process not read). Memoized in roots for the scan.
    private static int TreeRoot(int pid, Dictionary<int, Proc> procs, Dictionary<int, int> roots)
    {
        var path = WalkPath;
        path.Clear();
        var root = 0;
        var at = pid;
        while (path.Count < 256)
        {
            if (roots.TryGetValue(at, out var known))
            {
                root = known;
                break;
            }

            if (!procs.TryGetValue(at, out var p))
            {
                break;
            }

            path.Add(at);
            if (p.Parent == Self)
            {
                root = at;
                break;
            }

            if (p.Parent <= 0 || p.Parent == at)
            {
                break;
            }

            at = p.Parent;
        }

        foreach (var visited in path)
        {
            roots[visited] = root;
        }

        return root;
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
    internal static bool TryReadStat(int pid, out long cpu, out int parent, out int pgid, out byte state) => TryReadStat(pid, out cpu, out parent, out pgid, out state, out _);

    /// <summary>Reads /proc/PID/stat with the parent's id and the start time (clock ticks since boot: with the id, which
    /// process it is, ids being reused).</summary>
    internal static bool TryReadStat(int pid, out long cpu, out int parent, out int pgid, out byte state, out long start)
    {
        start = 0;
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

        // After ')': state(3) ppid(4) pgrp(5) session tty_nr tpgid flags minflt cminflt majflt cmajflt utime(14) stime cutime
        // cstime(17) priority nice num_threads itrealvalue starttime(22).
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
            else if (field == 22)
            {
                _ = long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out start);
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

    private readonly record struct Proc(int Parent, int Pgid, long Cpu, byte State, long Start);

    private readonly record struct Member(int Root, long Start, long Cpu, bool ParentInTree, long SeenAt);

    private readonly record struct Departed(long Ticks, long SeenAt);
}
