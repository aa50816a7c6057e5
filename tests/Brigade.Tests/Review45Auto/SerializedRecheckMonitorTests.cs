using Brigade.Auto;
using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Review45Auto;

/// <summary>
/// Review 45, 1a (the serialized class): a serialized plan of one thread contends with nobody, so it was never re-examined.
/// Measured at load 40: items writing a line to one <c>StreamWriter</c> under a lock (~0.3 µs of a 21 µs item) read 25–64%
/// of the workers' time waiting for the lock (a preempted holder) and ran one thread to the end, 1.4× the thread pool's
/// time. The monitor now re-checks two threads for two timed windows. Recorded figures, no timing.
/// </summary>
public sealed class SerializedRecheckMonitorTests
{
    private const int Every = 8;

    private static WorkSample Timed(WorkSample sample, double share, double workers) => sample with
    {
        LockTiming = LockTiming.Timed,
        LockItems = sample.TotalItems,
        LockElapsedTicks = 100_000,
        LockBusyTicks = (long)(100_000 * workers),
        TimedLockWaitTicks = (long)(100_000 * workers * share),
    };

    // The measured re-plan: 364 µs per item, cpu/wall 0.07, two workers waiting 64% of their time for the lock: one thread.
    private static PlanDecision SerializedOfOne(PlanContext context)
    {
        var decision = AutoPlanner.Decide(Timed(WorkSample.FromPerItem(64, TimeSpan.FromMicroseconds(364), TimeSpan.FromMicroseconds(25)), 0.64, 2), context)!;
        Assert.Equal(WorkloadClass.Serialized, decision.Class);
        Assert.Equal(1, decision.Width);
        return decision;
    }

    // A judged window is two ticks of half its figures.
    private static IEnumerable<WorkSample> Judged(WorkSample half, int windows) => Enumerable.Repeat(half, 2 * windows);

    private static async Task<MonitoredCpuEngine> Run(params IEnumerable<WorkSample>[] windows)
    {
        var engine = new MonitoredCpuEngine(SerializedOfOne, [.. windows.SelectMany(w => w)]);
        await Runner.MapAsync(new int[1_000_000], engine.Hold, new RunOptions { Engine = engine }).Bounded();
        return engine;
    }

    // At one thread: 21 µs per item, nobody to wait for.
    private static WorkSample One => Timed(WorkSample.FromPerItem(8, TimeSpan.FromMicroseconds(21), TimeSpan.FromMicroseconds(20)), 0, 1);

    [Fact]
    public async Task ALockThatNoLongerSerializes_IsReleasedAfterTheRecheck()
    {
        // At two threads, 2% of their time waiting for the lock: CPU-bound, the cores.
        var two = Timed(WorkSample.FromPerItem(8, TimeSpan.FromMicroseconds(22), TimeSpan.FromMicroseconds(20)), 0.02, 2);
        var engine = await Run(Judged(One, Every), Judged(two, 2));

        if (!OperatingSystem.IsLinux())
        {
            return; // plain lock waits are timed on Linux only: no re-check elsewhere
        }

        Assert.Equal(2, engine.Widths[(2 * Every) - 1]);
        Assert.Equal(2, engine.Plans.Count);
        Assert.Equal(WorkloadClass.CpuBound, engine.Plans[^1].Class);
        Assert.Equal(2, engine.Plans[^1].DegreeOfParallelism);
        Assert.Contains("the lock re-checked at two threads, 2% of their time waiting for it, was serialized", engine.Plans[^1].Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALockAroundAllOfEachItem_KeepsOneThread()
    {
        // At two threads, one always waits: 50% of their time.
        var two = Timed(WorkSample.FromPerItem(8, TimeSpan.FromMicroseconds(42), TimeSpan.FromMicroseconds(20)), 0.5, 2);
        var engine = await Run(Judged(One, Every), Judged(two, 2), Judged(One, 2));

        Assert.Single(engine.Plans);
        Assert.Equal(1, engine.Widths[^1]);
        if (OperatingSystem.IsLinux())
        {
            Assert.Contains(2, engine.Widths);
        }
    }
}
