using System.Diagnostics;
using System.Globalization;
using Brigade.Internal;

namespace Brigade.Auto;

/// <summary>Auto mode's dedicated threads: how many are alive, and how many the machine's memory affords.</summary>
internal static class AutoThreads
{
    /// <summary>The stack a thread reserves when nothing says otherwise: .NET's default for threads it creates on Linux and macOS (1.5 MB).</summary>
    public const long DefaultStackBytes = 1536 * 1024;

    /// <summary>The share of the memory available to the process that auto mode's thread stacks may reserve.</summary>
    public const int MemoryShareDivisor = 8;

#pragma warning disable CA2211 // A counter updated with Interlocked needs to be a field.
    /// <summary>The number of auto-mode dedicated threads alive in the process.</summary>
    public static int Live;
#pragma warning restore CA2211

    // The CPU time of the last few dedicated threads' starts, in TimeSpan ticks (0: none recorded yet): what the starting
    // thread spent in Thread.Start (a clone, a stack) and what the new thread spent before its loop began (the runtime's
    // set-up of a thread). CPU, not wall time: a start's wall time includes waiting for a core, which while a wave of
    // threads starts is tens of milliseconds and says nothing of the next wave. Written and read without a lock.
    private static readonly long[] StarterCpu = new long[8];
    private static readonly long[] StartedCpu = new long[8];
    private static int _nextStarter;
    private static int _nextStarted;

    /// <summary>Gets whether thread starts are measured here: Linux, whose per-thread CPU clock reads to the microsecond
    /// (Windows' moves in ~15.6 ms steps: a start would read 0 or 15.6 ms, review 14 M2).</summary>
    public static bool MeasuresStarts { get; } = OperatingSystem.IsLinux() && ThreadCpuTime.IsSupported;

    /// <summary>Gets or sets a start cost that replaces the measured one (tests: a machine where threads start slowly).</summary>
    public static TimeSpan? StartCostOverride { get; set; }

    /// <summary>Records the CPU time the starting thread spent in <see cref="Thread.Start()"/> (TimeSpan ticks).</summary>
    public static void RecordStarter(long cpuTicks) => Record(StarterCpu, ref _nextStarter, cpuTicks);

    /// <summary>Records the CPU time a new dedicated thread had used when its loop began (TimeSpan ticks).</summary>
    public static void RecordStarted(long cpuTicks) => Record(StartedCpu, ref _nextStarted, cpuTicks);

    /// <summary>
    /// What starting a dedicated thread costs here: the CPU time of the quickest recent start on each side (the starter's
    /// and the new thread's), never less than <see cref="AutoPlanner.ThreadStartCost"/>. A virtual machine or a container
    /// may take several times the usual (~350–420 µs of CPU per thread measured on a Firecracker VM, where the planner
    /// assumes ~100 µs), and weighing that keeps a plan for waiting items from starting more threads than their waits repay.
    /// </summary>
    public static TimeSpan StartCost()
    {
        if (StartCostOverride is { } given)
        {
            return given;
        }

        var measured = TimeSpan.FromTicks(Quickest(StarterCpu) + Quickest(StartedCpu));
        return measured > AutoPlanner.ThreadStartCost ? measured : AutoPlanner.ThreadStartCost;
    }

    private static void Record(long[] ring, ref int next, long ticks)
    {
        if (ticks > 0)
        {
            Volatile.Write(ref ring[(Interlocked.Increment(ref next) - 1) & (ring.Length - 1)], ticks);
        }
    }

    private static long Quickest(long[] ring)
    {
        var quickest = long.MaxValue;
        foreach (ref readonly var entry in ring.AsSpan())
        {
            var ticks = Volatile.Read(in entry);
            if (ticks > 0 && ticks < quickest)
            {
                quickest = ticks;
            }
        }

        return quickest == long.MaxValue ? 0 : quickest;
    }

    /// <summary>
    /// How many more dedicated threads the memory available to the process affords, counting each thread's whole stack
    /// reservation (as if every stack were touched to its end) against an eighth of that memory; the threads auto runs
    /// have already are counted in. At least <paramref name="floor"/>.
    /// </summary>
    /// <remarks>The memory figure is read at most once per <see cref="BudgetRefresh"/> (<see cref="GC.GetGCMemoryInfo()"/> costs
    /// about a microsecond, and every auto run asks), the stack size once: the runtime reads it only at start-up too.</remarks>
    public static int Affordable(int floor)
    {
        var budget = ThreadBudget();
        if (budget is null)
        {
            return floor;
        }

        var threads = budget.Value - Volatile.Read(ref Live);
        return (int)Math.Clamp(threads, floor, int.MaxValue);
    }

    /// <summary>How long the memory figure behind <see cref="Affordable"/> is reused.</summary>
    internal static readonly TimeSpan BudgetRefresh = TimeSpan.FromSeconds(1);

    private static readonly long StackBytesAtStart = StackBytes();

    // The threads an eighth of the available memory affords, and when it was read (Stopwatch timestamp): swapped whole.
    private static Budget? _budget;

    // Null where the available memory is unknown (reads 0).
    private static long? ThreadBudget()
    {
        var now = Stopwatch.GetTimestamp();
        var budget = Volatile.Read(ref _budget);
        if (budget is null || Stopwatch.GetElapsedTime(budget.ReadAt, now) >= BudgetRefresh)
        {
            var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
            budget = new Budget(available > 0 ? available / MemoryShareDivisor / StackBytesAtStart : -1, now);
            Volatile.Write(ref _budget, budget);
        }

        return budget.Threads >= 0 ? budget.Threads : null;
    }

    // DOTNET_DefaultStackSize (hexadecimal bytes) changes every thread's reservation.
    private static long StackBytes()
    {
        var configured = Environment.GetEnvironmentVariable("DOTNET_DefaultStackSize");
        return configured is not null && long.TryParse(configured, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var bytes) && bytes > 0
            ? bytes
            : DefaultStackBytes;
    }

    private sealed record Budget(long Threads, long ReadAt);
}
