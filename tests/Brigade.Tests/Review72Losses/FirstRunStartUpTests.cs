using Brigade.Internal;
using Brigade.Reporting;

namespace Brigade.Tests.Review72Losses;

/// <summary>
/// Review 72 (fresh72 finding 2): sixteen 50 ms sleeps over an in-memory List on Engine.Sequential, the process's first run,
/// read "start-up 55% ... 304 ms on average before each worker's first batch" and "→ start-up cost 55% of the gap: workers
/// started late: check for a slow input". The 300 ms was the first run's JIT and first use; the input, a List, was ready.
/// The input's waits are measured where it is asynchronous (its takes are timed): only a start-up they explain is a slow
/// input's; otherwise the advice names the run's own start (a first run's warm-up) and does not send the reader to the input.
/// Made-up reports (no timing).
/// </summary>
public sealed class FirstRunStartUpTests
{
    private static readonly DateTimeOffset LongAgo = new(2001, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void SequentialFirstRun_OverAReadyInput_IsWarmUp_NotASlowInput()
    {
        var report = Sequential(firstMs: 304, counters: new LossProbe(0, 0, 0));

        var losses = LossBreakdown.Compute(report, report.Counters, callerKeepsEngine: true);
        var startUp = Assert.Single(losses.Causes, c => c.Cause == LossCause.StartUp);

        Assert.DoesNotContain("slow input", startUp.Advice ?? "", StringComparison.Ordinal);
        Assert.DoesNotContain(losses.Advice, a => a.Contains("slow input", StringComparison.Ordinal));
        Assert.Contains(losses.Advice, a => a.StartsWith("start-up", StringComparison.Ordinal) && a.Contains("first run", StringComparison.Ordinal));
    }

    [Fact]
    public void AnAsynchronousInputThatGaveItsFirstItemsLate_IsStillASlowInput()
    {
        // The workers' take waited 290 ms for the input's first item: measured, so the input is named.
        var end = Ms(304 + (16 * 50));
        var report = Sequential(firstMs: 304, counters: new LossProbe(0, 0, 0, InputWaitTicks: Ms(290).Ticks, InputEndedAt: end));

        var losses = LossBreakdown.Compute(report, report.Counters, callerKeepsEngine: true);

        Assert.Contains(losses.Advice, a => a.Contains("slow input", StringComparison.Ordinal));
    }

    private static RunReport Sequential(double firstMs, LossProbe counters)
    {
        var events = Enumerable.Range(0, 16).Select(i => new TimelineEvent(0, i, 1, 0, Ms(firstMs + (i * 50)), Ms(50), Ms(0.1))).ToArray();
        var last = events[^1];
        var busy = Ms(16 * 50);
        var worker = new WorkerReport(0, "sequential", null, 16, 16, 0, busy, Ms(1.6))
        {
            Timing = new WorkerTiming(events[0].Start, last.Start, last.End, last.FirstIndex, 1, null, TimeSpan.Zero),
        };
        return new RunReport
        {
            Engine = "sequential",
            DegreeOfParallelism = 1,
            Items = 16,
            Succeeded = 16,
            Batches = 16,
            StartedAt = LongAgo,
            WallTime = last.End + Ms(5),
            BusyTime = busy,
            ProcessCpuTime = Ms(60),
            WorkerCpuTime = Ms(1.6),
            Workers = [worker],
            Timeline = events,
            Counters = counters,
        };
    }

    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);
}
