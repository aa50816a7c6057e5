using Brigade.Internal;
using Brigade.Reporting;

namespace Brigade.Tests.Review47;

/// <summary>
/// Review 47 (left by review 46): with plain-lock waits not timed, <see cref="RunReport.Losses"/> took the off-CPU time of
/// every batch during which the runtime counted any contention in the process as lock contention: one
/// <c>sleep 2.5</c> command among 20 read "lock contention 32%", items blocking on a nested <c>.Result</c> "58%" from 10
/// contentions. A count has no duration: that time is now the items' time off the CPU (blocking), whose description says
/// contention was counted but not timed; lock contention names only what was measured.
/// </summary>
public sealed class UntimedContentionLossTests
{
    // Long ago: the process's plain-lock timing (if another test started it) was not on then, so the window is untimed.
    private static readonly DateTimeOffset LongAgo = new(2001, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static RunReport ThreadPoolRun(long contentions) => new()
    {
        Engine = "threadpool",
        DegreeOfParallelism = 2,
        Items = 20,
        Succeeded = 20,
        StartedAt = LongAgo,
        WallTime = Ms(1_000),
        WorkerCpuTime = Ms(100),
        ProcessCpuTime = Ms(100),
        // Each worker busy 1 s, 50 ms of it on the CPU; 900 ms of it off the CPU in batches during which the runtime
        // counted contention (a sleep, and a contention somewhere in the process meanwhile).
        Workers = [Worker(0), Worker(1)],
        Counters = new LossProbe(0, contentions, 0),
    };

    private static WorkerReport Worker(int id) =>
        new(id, $"w{id}", null, 10, 10, 0, Ms(1_000), null)
        {
            Timing = new WorkerTiming(TimeSpan.Zero, Ms(900), Ms(1_000), 18 + id, 1, Ms(0), Ms(900)),
        };

    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    [Fact]
    public void UntimedContentionCount_IsNotCalledLockContention()
    {
        var losses = ThreadPoolRun(contentions: 10).Losses;

        // Before: 1,800 ms (every contended batch's off-CPU time) as lock contention, 100% of the off-CPU time.
        Assert.Equal(TimeSpan.Zero, losses.TimeLostTo(LossCause.LockContention));
        Assert.Equal(1_900, losses.TimeLostTo(LossCause.Blocking).TotalMilliseconds, 3);
        var blocking = Assert.Single(losses.Causes, c => c.Cause == LossCause.Blocking);
        Assert.Contains("10 plain-lock contentions", blocking.Description, StringComparison.Ordinal);
        Assert.Contains("not timed", blocking.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(losses.Advice, a => a.Contains("lock contention", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void NoContention_BlockingSaysNothingOfLocks()
    {
        var losses = ThreadPoolRun(contentions: 0).Losses;

        Assert.Equal(TimeSpan.Zero, losses.TimeLostTo(LossCause.LockContention));
        var blocking = Assert.Single(losses.Causes, c => c.Cause == LossCause.Blocking);
        Assert.DoesNotContain("plain-lock", blocking.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("contention", blocking.Description, StringComparison.Ordinal);
    }
}
