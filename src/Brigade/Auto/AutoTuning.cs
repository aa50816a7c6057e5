namespace Brigade.Auto;

/// <summary>Auto mode's tuning constants, in one place (docs/auto-mode.md lists them with their reasons).</summary>
internal static class AutoTuning
{
    /// <summary>How often the controller looks while sampling.</summary>
    public static readonly TimeSpan ProbeTick = TimeSpan.FromMilliseconds(1);

    /// <summary>How much the sample widens per tick while every running item is an asynchronous item in flight (its
    /// synchronous part returned, nothing of it runs): such items cost a task each, not a thread, and a sample that only
    /// doubled took 10 ticks to reach 1,024 (20 ms), a wave of items behind the async engine at that width. Other waiting
    /// items double (threads each).</summary>
    public const long AsyncProbeGrowth = 4;

    /// <summary>How often the controller looks once a plan runs.</summary>
    public static readonly TimeSpan MonitorTick = TimeSpan.FromMilliseconds(10);

    /// <summary>How long after a due tick the controller thread steps in when no worker has ticked (workers are stuck in long items).</summary>
    public static readonly TimeSpan WatchdogMonitorSlack = TimeSpan.FromMilliseconds(10);

    /// <summary>The shortest window the concurrency limiter judges...</summary>
    public static readonly TimeSpan AimdWindow = TimeSpan.FromMilliseconds(40);

    /// <summary>...and the fewest completed items in it.</summary>
    public const int AimdItems = 32;

    /// <summary>A window this clearly at odds with the plan re-plans at once: CPU ratio below this under a CPU plan...</summary>
    public const double ClearlyBlocking = 0.15;

    /// <summary>...or above this under a blocking or mixed plan.</summary>
    public const double ClearlyCpuBound = 0.9;

    /// <summary>A window is judged once it holds this many observations (batches or items in flight)...</summary>
    public const int MinWindowObservations = 8;

    /// <summary>...and spans this many monitor ticks.</summary>
    public const int MinWindowTicks = 2;

    /// <summary>
    /// The most monitor ticks a CPU plan's window the runtime held (<see cref="WorkSample.MostlyRuntime"/>) is left to grow
    /// before it is judged anyway. A collection (even a blocking gen-2 one) or a burst of compiling stops threads for a
    /// few to some tens of milliseconds; a window the runtime still holds after ~100 ms is not a passing stop but how
    /// the process runs now, and waiting longer would not give a better reading. A re-plan still needs two windows in a
    /// row, so such readings hold a CPU plan at least ~200 ms, not for the rest of the run.
    /// </summary>
    public const int MaxRuntimeHeldTicks = 10;

    /// <summary>
    /// How many of a plan's stalled checks (monitor ticks whose running batches all read clearly waiting) may be set aside
    /// because another thread of the process was ready to run (a preempted holder of what the workers wait on): at most this
    /// many ticks' delay (5 × <see cref="MonitorTick"/>) to a real stall's re-plan, and only in a process busy elsewhere.
    /// </summary>
    public const int MaxStallDeferrals = 5;

    /// <summary>The shortest batch whose end readings are taken: a shorter one is not worth them (more than it measured),
    /// and counts as computation (see <see cref="WorkSample.CpuRatio"/>).</summary>
    public static readonly TimeSpan MinMeasuredBatch = TimeSpan.FromMicroseconds(25);

    /// <summary>Time per item (wall) under which an item cannot have waited for anything but a core: blocking a thread and
    /// waking it again takes longer (two system calls and two context switches). A sample's batch of such items can only
    /// show computation; see <c>AutoWorkerPool.EndsTooShortToMatter</c>.</summary>
    public static readonly TimeSpan TinyItem = TimeSpan.FromMicroseconds(2);

    /// <summary>The least rest of a tiny job (estimated at its last batch's rate) for which its first worker offers a pool
    /// thread to join it: under this, waking a thread costs about what it could take. See <c>AutoWorkerPool.MaybeJoin</c>.</summary>
    public static readonly TimeSpan TinyJoinRest = TimeSpan.FromMicroseconds(60);

    /// <summary>The least batch, in time at the items' rate, while a pool thread may join a tiny job: shorter ones cost
    /// more in bookkeeping than they balance.</summary>
    public static readonly TimeSpan TinyJoinBatch = TimeSpan.FromMicroseconds(4);

    /// <summary>The longest batch, in time at the rate measured when the offer was made, while a pool thread may join a
    /// tiny job: items taken are never handed back, so if the items turn out slower than that one batch said, no more
    /// than this much of the job sits on either thread per take (review 20 T3).</summary>
    public static readonly TimeSpan TinyJoinMaxBatch = TimeSpan.FromMicroseconds(200);

    /// <summary>Once a plan runs, a batch after one at least this long is always measured (otherwise every fourth batch):
    /// its few microseconds of readings are about 1% of it.</summary>
    public static readonly TimeSpan LongBatch = TimeSpan.FromMicroseconds(250);

    /// <summary>The sample decides once this many items finished within <see cref="AutoEngineOptions.SampleTime"/>; with fewer, the items still running are measured instead.</summary>
    public const int MinSampleItems = 4;

    /// <summary>The most running batches the controller inspects per tick (each costs two ~3 µs reads).</summary>
    public const int MaxInspectedPerTick = 16;

    /// <summary>How many dedicated threads the controller starts itself when a plan for them is applied; the rest start by doubling.</summary>
    public const int EagerThreads = 32;

    /// <summary>Lock contentions per item since the plan at or above which running items of a CPU plan that stop using the
    /// CPU are taken to wait for each other's lock, not to have turned to I/O.</summary>
    public const double StallContentionsMin = 0.05;

    /// <summary>Without per-thread figures (not Linux), workers count as waiting when the process uses less than this share of a core per running worker.</summary>
    public const double ProcessCpuWaitingShare = 0.25;

    /// <summary>How late the runtime's contention events reach the in-process listener at most, about (it polls every
    /// 10 ms; a busy machine adds run-queue waits): waits older than this are taken as all delivered.</summary>
    public static readonly TimeSpan LockEventDelay = TimeSpan.FromMilliseconds(20);

    /// <summary>The widest first plan for waiting items that contended while their lock waits are not timed yet (twice the
    /// cores below this): a bound that does not grow with the machine, since what it protects against does not either.
    /// Items queued behind one lock finish one at a time whatever the width, so each thread past the first only waits; a
    /// small job (issue 16: 60 items) must not be taken whole before timed windows tell a lock from a device. Genuine I/O
    /// loses little: the monitor widens by Little's law from the first timed windows, tens of milliseconds later.</summary>
    public const int MaxUnsettledLockWidth = 16;

    /// <summary>The least time timed lock waits must cover before they count as evidence (a few items' worth).</summary>
    public static readonly TimeSpan MinTimedLocks = TimeSpan.FromMilliseconds(5);

    /// <summary>How often the controller reads a running item's external CPU clock at most (<see cref="IExternalCpuSource"/>:
    /// a child's <c>/proc/PID/stat</c> counts in 10 ms steps, so reading it more often says nothing new).</summary>
    public static readonly TimeSpan ExternalReadInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>The least time a running item's external CPU clock must be read over before it counts: five steps of a
    /// 10 ms clock, so that a child computing half its time or more cannot read as waiting.</summary>
    public static readonly TimeSpan MinExternalSpan = TimeSpan.FromMilliseconds(50);

    /// <summary>The judged windows a one-worker CPU plan (<see cref="AutoPlanner.MinWidthGain"/>: the items cost more CPU
    /// beside another worker) runs before its first re-check at two workers; each re-check that keeps one worker doubles it
    /// (8, 16, 32 windows...). A window spans at least two monitor ticks, so the first re-check comes ~160 ms into the plan,
    /// and a run whose items keep contending spends one window in nine at two workers, then one in seventeen: for such items
    /// two workers finish them no slower than one (that is the rule), so a re-check costs a core, not the run's time.</summary>
    public const int WidthRecheckWindows = 8;

    /// <summary>The change of the CPU time per item (either way) under a one-worker CPU plan that re-checks two workers at
    /// the next window, whatever the count: items that grew heavier do more of their own work per shared access.</summary>
    public const double WidthRecheckCpuChange = 2;

    /// <summary>The most judged windows a re-check at two workers runs before it is judged with what it measured (each side
    /// needs <see cref="AutoPlanner.MinScalingBatches"/> measured batches and <see cref="AutoPlanner.MinScalingCpu"/>).</summary>
    public const int MaxWidthProbeWindows = 3;

    /// <summary>How long the sample may wait, past the moment it could otherwise plan a CPU-bound job, for its batches beside
    /// another worker (<c>AutoProbe.AwaitScaling</c>): bounded by <see cref="AutoEngineOptions.SampleTime"/> alone, a sample
    /// whose second worker seldom ran (a busy machine below the busy gate, items of a few hundred microseconds) ran its small,
    /// measured batches for up to 20 ms. A quarter of the default sample time (two measured 1 ms batches of the second worker,
    /// with room for a busy machine's run queue); what did not come by then the monitor judges from the run's totals.</summary>
    public static readonly TimeSpan MaxScalingWait = TimeSpan.FromMilliseconds(5);
}
