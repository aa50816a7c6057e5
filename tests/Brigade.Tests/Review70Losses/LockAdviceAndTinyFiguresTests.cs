using Brigade.Internal;
using Brigade.Reporting;

namespace Brigade.Tests.Review70Losses;

/// <summary>
/// Review 70 (fresh70 findings 2 and 3). The first run of a process, its items serialized on a plain lock: the runtime counted
/// 34 contentions it did not time, and the advice was still "run items that block on Engine.Threads" (more threads cannot
/// help a lock). And 332 ms between 2,000,000 batches read "0 µs per item" (0.17 µs).
/// </summary>
public sealed class LockAdviceAndTinyFiguresTests
{
    private static readonly DateTimeOffset LongAgo = new(2001, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void BlockingWhileContentionsWereCounted_DoesNotAdviseMoreThreads_SaysALockIsLikely()
    {
        var losses = LossBreakdown.Compute(LockedRun(contentions: 34), new LossProbe(0, 34, 0), callerKeepsEngine: true);

        Assert.Contains(losses.Causes, c => c.Cause == LossCause.Blocking);
        var advice = string.Join(" | ", losses.Advice);
        Assert.Contains("lock", advice, StringComparison.Ordinal);
        Assert.DoesNotContain("Engine.Threads", advice, StringComparison.Ordinal);
        Assert.DoesNotContain("Engine.Async", advice, StringComparison.Ordinal);
        Assert.DoesNotContain(losses.Causes, c => c.Cause == LossCause.SharedResource);
    }

    [Fact]
    public void BlockingWithoutContentions_StillAdvisesThreads()
    {
        var losses = LossBreakdown.Compute(LockedRun(contentions: 0), new LossProbe(0, 0, 0), callerKeepsEngine: true);

        Assert.Contains(losses.Advice, a => a.Contains("Engine.Threads", StringComparison.Ordinal));
    }

    [Fact]
    public void PerItemOverheadUnderAMicrosecond_IsPrintedAsItIs()
    {
        // Two workers, 2,000,000 batches, 166 ms between batches each: 0.166 µs per item.
        var report = new RunReport
        {
            Engine = "threadpool",
            DegreeOfParallelism = 2,
            Items = 2_000_000,
            Succeeded = 2_000_000,
            Batches = 2_000_000,
            StartedAt = LongAgo,
            WallTime = Ms(1_000),
            BusyTime = Ms(1_668),
            WorkerCpuTime = Ms(1_668),
            ProcessCpuTime = Ms(1_700),
            Workers = [Worker(0, 834, 1_000, 834, 1_000_000), Worker(1, 834, 1_000, 834, 1_000_000)],
            Counters = new LossProbe(0, 0, 0),
        };

        var losses = LossBreakdown.Compute(report, report.Counters, callerKeepsEngine: true);

        var overhead = Assert.Single(losses.Causes, c => c.Cause == LossCause.Overhead);
        Assert.Contains("(0.17 µs per item over 2,000,000 items", overhead.Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0, "0 µs")]
    [InlineData(0.4, "0.40 µs")]
    [InlineData(3.0, "3 µs")]
    [InlineData(250.0, "250 µs")]
    [InlineData(1_500.0, "1.5 ms")]
    public void Duration_UnderAMillisecond(double microseconds, string expected) =>
        Assert.Equal(expected, LossText.Duration(microseconds / 1e6));

    // 40 items in one plain lock on 2 thread-pool workers: each worker busy 1 s, 100 ms of it on the CPU, the rest off it
    // waiting, in batches during which the runtime counted the contentions (untimed: the listener was not on).
    private static RunReport LockedRun(long contentions) => new()
    {
        Engine = "threadpool",
        DegreeOfParallelism = 2,
        Items = 40,
        Succeeded = 40,
        Batches = 40,
        StartedAt = LongAgo,
        WallTime = Ms(1_000),
        BusyTime = Ms(2_000),
        WorkerCpuTime = Ms(200),
        ProcessCpuTime = Ms(200),
        Workers =
        [
            new WorkerReport(0, "w0", null, 20, 20, 0, Ms(1_000), Ms(100)) { Timing = new WorkerTiming(TimeSpan.Zero, Ms(950), Ms(1_000), 38, 1, Ms(0), Ms(900)) },
            new WorkerReport(1, "w1", null, 20, 20, 0, Ms(1_000), Ms(100)) { Timing = new WorkerTiming(TimeSpan.Zero, Ms(950), Ms(1_000), 39, 1, Ms(0), Ms(900)) },
        ],
        Counters = new LossProbe(0, contentions, 0),
    };

    private static WorkerReport Worker(int id, double busy, double lastEnd, double cpu, long batches) =>
        new(id, $"w{id}", null, batches, batches, 0, Ms(busy), Ms(cpu))
        {
            Timing = new WorkerTiming(TimeSpan.Zero, Ms(lastEnd - 0.001), Ms(lastEnd), id, 1, Ms(0), TimeSpan.Zero),
        };

    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);
}
