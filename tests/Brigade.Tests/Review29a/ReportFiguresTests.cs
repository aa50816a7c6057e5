using Brigade.Internal;
using Brigade.Reporting;
using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Review29a;

/// <summary>
/// Review 29a, finding 7, and its closing note: the sequential engine is the baseline, not a speedup below 1 over itself;
/// WorkerCount is the most workers that ran at once (auto mode's retired loops are not counted twice); the losses' useful
/// time is never negative, and when none is left the breakdown says where the time went.
/// </summary>
public sealed class ReportFiguresTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    private static WorkerReport Worker(int id, double startMs, double endMs, double? runQueueMs = null) =>
        new(id, $"w{id}", null, 1, 10, 0, Ms(endMs - startMs), null)
        {
            Timing = new WorkerTiming(Ms(startMs), Ms(startMs), Ms(endMs), id * 10, 10, runQueueMs is { } q ? Ms(q) : null, TimeSpan.Zero),
        };

    [Fact]
    public async Task Sequential_OneItem_SummarySaysBaselineAndBusyShare_NotASpeedupOverItself()
    {
        var report = (await Runner.MapAsync(new[] { 1 }, x => x, new RunOptions { Engine = Engine.Sequential }).Bounded()).Report;

        var text = report.ToString();
        Assert.Contains(", baseline, busy ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("speedup", text, StringComparison.Ordinal);
        Assert.InRange(report.Speedup, 0, 1);
    }

    [Fact]
    public async Task ThreadPool_SummaryStillSaysSpeedupAndEfficiency()
    {
        var report = (await Runner.MapAsync(new[] { 1, 2, 3, 4 }, x => x, new RunOptions { Engine = Engine.ThreadPool }).Bounded()).Report;

        Assert.Contains(", speedup ", report.ToString(), StringComparison.Ordinal);
        Assert.Contains(", efficiency ", report.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void WorkerCount_RetiredWorkersReplacedByOthers_CountsTheMostAtOnce()
    {
        // Capped at 3: two workers run throughout; the third slot is held by w2 until 4 ms, then w3 until 7 ms, then w4.
        var report = new RunReport
        {
            Engine = "auto",
            DegreeOfParallelism = 3,
            Items = 50,
            Succeeded = 50,
            WallTime = Ms(10),
            Workers = [Worker(0, 0, 10), Worker(1, 0, 10), Worker(2, 0, 4), Worker(3, 4, 7), Worker(4, 7, 10)],
        };

        Assert.Equal(5, report.Workers.Count);
        Assert.Equal(3, report.WorkerCount);
        Assert.Equal(report.Speedup / 3, report.Efficiency, 9);
    }

    [Fact]
    public void WorkerCount_WorkersWithoutBatchTimes_EachCountsAsRunningThroughout()
    {
        var report = new RunReport
        {
            Engine = "custom",
            DegreeOfParallelism = 4,
            Items = 20,
            Succeeded = 20,
            WallTime = Ms(10),
            Workers = [new WorkerReport(0, "a", null, 1, 10, 0, Ms(5), null), new WorkerReport(1, "b", null, 1, 10, 0, Ms(5), null), new WorkerReport(2, "idle", null, 0, 0, 0, TimeSpan.Zero, null)],
        };

        Assert.Equal(2, report.WorkerCount);
    }

    [Fact]
    public void Losses_EveryBatchMicrosecondWaitingForACore_UsefulIsZero_AndTheBreakdownSaysTheMachineTookIt()
    {
        // Two workers in batches for the whole 10 ms, their threads in the run queue for more than that (scaled up): none
        // of the batches' time was the items' own.
        var report = new RunReport
        {
            Engine = "auto",
            DegreeOfParallelism = 2,
            Items = 20,
            Succeeded = 20,
            WallTime = Ms(10),
            ProcessCpuTime = Ms(1),
            Workers = [Worker(0, 0, 10, runQueueMs: 12), Worker(1, 0, 10, runQueueMs: 12)],
            Counters = new LossProbe(0, 0, 0),
        };

        var losses = report.Losses;

        Assert.Equal(TimeSpan.Zero, losses.Useful);
        Assert.Equal(0.0, losses.Speedup);
        Assert.Equal(losses.Ideal, losses.Gap);
        var text = losses.ToString();
        Assert.Contains("no speedup measurable: the workers' time in batches all went to the machine (waiting for a core", text, StringComparison.Ordinal);
        Assert.DoesNotContain("speedup 0.00", text, StringComparison.Ordinal);
        Assert.DoesNotContain("speedup -", text, StringComparison.Ordinal);
    }
}
