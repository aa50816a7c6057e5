using Brigade.Internal;
using Brigade.Reporting;

namespace Brigade.Tests.Review64Run;

/// <summary>
/// run64: input from a FIFO whose writer closed it late. Every item had run, but the run could not end before its input
/// did: the workers' wait read as the run's finishing, "start-up 95%: workers started late: check for a slow input"
/// (brigade run, `(seq 8; sleep 4) > fifo`, -j 4). The engine notes when a worker found the input's end; the losses name
/// the wait after the last batch up to it.
/// </summary>
public sealed class InputEndLossTests
{
    [Fact]
    public void WorkersWaitingForAnInputClosedLate_AreLostToTheInputsEnd_NotStartUp()
    {
        // Four workers ran their items by 1.0 s; the input ended at 3.6 s, the run at 3.7 s. Failed before: start-up 10.8 s
        // ("2.70 s after the last batch"), 98% of the gap.
        var report = Report(3.7, [Worker(0, 0.0, 1.0, 1.0), Worker(1, 0.0, 1.0, 1.0), Worker(2, 0.0, 1.0, 1.0), Worker(3, 0.0, 1.0, 1.0)], inputEnded: 3.6);

        var losses = LossBreakdown.Compute(report, report.Counters, callerKeepsEngine: false);
        var all = string.Join(" | ", losses.Causes.Select(static c => $"{c.Cause} {c.Time.TotalSeconds:0.00} s: {c.Description}"));

        var end = Assert.Single(losses.Causes, c => c.Cause == LossCause.InputEnd);
        Assert.InRange(end.Time.TotalSeconds, 10.39, 10.41);
        Assert.Contains("2.60 s before the input did", end.Description, StringComparison.Ordinal);
        Assert.True(losses.TimeLostTo(LossCause.StartUp) < TimeSpan.FromSeconds(0.41), all);
        Assert.Equal(TimeSpan.Zero, losses.TimeLostTo(LossCause.Imbalance));
        Assert.Contains("waiting for the input's end", losses.Summary, StringComparison.Ordinal);
        Assert.Contains("close the input", losses.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain("slow input", losses.Summary, StringComparison.Ordinal);
        Assert.True(losses.Causes.Sum(static c => c.Time.Ticks) == losses.Gap.Ticks, all);
    }

    [Fact]
    public void WithoutTheInputsEnd_TheSameTimelineIsStillTheRunsFinish()
    {
        // A source that ends as it is read (a file, an array) notes no time: nothing moves.
        var report = Report(3.7, [Worker(0, 0.0, 1.0, 1.0), Worker(1, 0.0, 1.0, 1.0), Worker(2, 0.0, 1.0, 1.0), Worker(3, 0.0, 1.0, 1.0)], inputEnded: null);

        var losses = LossBreakdown.Compute(report, report.Counters, callerKeepsEngine: false);

        Assert.DoesNotContain(losses.Causes, c => c.Cause == LossCause.InputEnd);
        Assert.InRange(losses.TimeLostTo(LossCause.StartUp).TotalSeconds, 10.79, 10.81);
    }

    [Fact]
    public void LanesIdleWhileAStragglerRan_StayImbalance_OnlyTheWaitPastItIsTheInputs()
    {
        // Three lanes done at 1.0 s, a straggler to 3.0 s, the input ended at 3.5 s, the run at 3.6 s: the straggler held
        // the three lanes 2 s each whenever the input ended (imbalance 6 s); the 0.5 s after it, on all four, was the input's.
        var report = Report(3.6, [Worker(0, 0.0, 3.0, 3.0), Worker(1, 0.0, 1.0, 1.0), Worker(2, 0.0, 1.0, 1.0), Worker(3, 0.0, 1.0, 1.0)], inputEnded: 3.5);

        var losses = LossBreakdown.Compute(report, report.Counters, callerKeepsEngine: false);
        var all = string.Join(" | ", losses.Causes.Select(static c => $"{c.Cause} {c.Time.TotalSeconds:0.00} s: {c.Description}"));

        Assert.InRange(losses.TimeLostTo(LossCause.Imbalance).TotalSeconds, 5.99, 6.01);
        Assert.InRange(losses.TimeLostTo(LossCause.InputEnd).TotalSeconds, 1.99, 2.01);
        Assert.True(losses.Causes.Sum(static c => c.Time.Ticks) == losses.Gap.Ticks, all);
    }

    [Fact]
    public void TheWaitForTheInputsEnd_IsNotTakenForWaitsBetweenBatches()
    {
        // Each worker's takes between its batches cost 0.2 s, found items at once; its last take waited 2.6 s for the end.
        // The input's waits (10.4 s, all at the end) were read as the time between batches: "0.80 s of it waiting for the
        // input's next items: the input is slower than the work".
        var report = Report(3.7, [Worker(0, 0.0, 1.0, 0.8), Worker(1, 0.0, 1.0, 0.8), Worker(2, 0.0, 1.0, 0.8), Worker(3, 0.0, 1.0, 0.8)], inputEnded: 3.6,
            inputWait: 10.4);

        var losses = LossBreakdown.Compute(report, report.Counters, callerKeepsEngine: false);

        var overhead = Assert.Single(losses.Causes, c => c.Cause == LossCause.Overhead);
        Assert.DoesNotContain("waiting for the input's next items", overhead.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("slower than the work", string.Join(" | ", losses.Advice), StringComparison.Ordinal);
    }

    private static RunReport Report(double wall, WorkerReport[] workers, double? inputEnded, double inputWait = 0) => new()
    {
        Engine = "async",
        DegreeOfParallelism = workers.Length,
        Items = 8,
        Succeeded = 8,
        WallTime = TimeSpan.FromSeconds(wall),
        Workers = workers,
        Counters = new LossProbe(0, 0, 0, TimeSpan.FromSeconds(inputWait).Ticks, inputEnded is { } e ? TimeSpan.FromSeconds(e) : null),
    };

    private static WorkerReport Worker(int id, double first, double lastEnd, double busy) =>
        new(id, $"worker {id}", null, 2, 2, 0, TimeSpan.FromSeconds(busy), null)
        {
            Timing = new WorkerTiming(TimeSpan.FromSeconds(first), TimeSpan.FromSeconds(lastEnd - 0.5), TimeSpan.FromSeconds(lastEnd), id * 1_000, 1, null, TimeSpan.Zero),
        };
}
