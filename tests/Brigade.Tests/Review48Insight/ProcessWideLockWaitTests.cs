using Brigade.Internal;
using Brigade.Reporting;

namespace Brigade.Tests.Review48Insight;

/// <summary>
/// Review 48: the losses' timed plain-lock waits come from the runtime's contention events, which are the whole process's
/// (the report does not know its workers' threads): a bystander thread's wait during the run read as "plain lock waits ...
/// timed from the runtime's contention events", as if the workers had waited. The description now says whose they are.
/// </summary>
public sealed class ProcessWideLockWaitTests
{
    [Fact]
    public void ABystandersLockWait_IsDescribedAsTheProcesss()
    {
        Assert.True(PlainLockWaits.Start() || !PlainLockWaits.IsSupported);
        if (!PlainLockWaits.IsStarted)
        {
            return; // event sources trimmed away: nothing is timed, the untimed description says "in the process" already
        }

        // The events are delivered late and may be dropped on a loaded machine (then the window is not timed): a few tries.
        string? description = null;
        for (var attempt = 0; attempt < 5 && description?.Contains("timed from", StringComparison.Ordinal) != true; attempt++)
        {
            description = OneRun();
        }

        Assert.NotNull(description);
        Assert.Contains("timed from", description, StringComparison.Ordinal);
        Assert.Contains("in the whole process (any thread's", description, StringComparison.Ordinal);
    }

    // A run of one local worker, off the CPU in its batch while a thread that is not its own waits 50 ms for a lock.
    private static string OneRun()
    {
        var started = DateTimeOffset.UtcNow;
        var contentions = Monitor.LockContentionCount;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var gate = new object();
        using var held = new ManualResetEventSlim();
        var holder = new Thread(() =>
        {
            lock (gate)
            {
                held.Set();
                Thread.Sleep(50);
            }
        }) { IsBackground = true };
        holder.Start();
        held.Wait();
        lock (gate)
        {
        }

        holder.Join();
        Thread.Sleep(20);
        var wall = clock.Elapsed;
        var counted = Monitor.LockContentionCount - contentions;
        var report = new RunReport
        {
            Engine = "threadpool",
            DegreeOfParallelism = 1,
            Items = 1,
            Succeeded = 1,
            StartedAt = started,
            WallTime = wall,
            BusyTime = wall,
            WorkerCpuTime = TimeSpan.FromMilliseconds(1),
            ProcessCpuTime = TimeSpan.FromMilliseconds(5),
            Workers =
            [
                new WorkerReport(0, "pool 0", null, 1, 1, 0, wall, TimeSpan.FromMilliseconds(1))
                {
                    Timing = new WorkerTiming(TimeSpan.Zero, TimeSpan.Zero, wall, 0, 1, TimeSpan.Zero, wall),
                },
            ],
            Counters = new LossProbe(0, counted, 0),
        };

        // Not timed (the events dropped), the plain waits count nothing and the cause is absent.
        return report.Losses.Causes.SingleOrDefault(c => c.Cause == LossCause.LockContention)?.Description ?? "";
    }
}
