using System.Globalization;
using System.Text.RegularExpressions;
using Brigade.Reporting;
using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Report69;

// Report 69 (fresh69 finding 2): the one-line summary said "speedup 1.05, efficiency 53%" (busy time over wall time, which
// counts a thread's wait for a core as work) while a plain loop ran the items 2.3 times faster than the run, and Explain()'s
// next line said "speedup 0.11 over one worker on an idle machine". The summary now says what its speedup is over, and
// where the run-queue wait was measured it is the losses' speedup, the one Explain() gives. Made-up reports: no timing.
public sealed partial class HeadlineSpeedupTests
{
    private static readonly TimeSpan Wall = TimeSpan.FromSeconds(1);

    [Fact]
    public void ToString_RunQueueWaitMeasured_IsTheLossesSpeedupOverOneWorkerOnAnIdleMachine()
    {
        var report = Report(runQueueWait: TimeSpan.FromSeconds(0.843));
        Assert.Equal(1.95, report.Speedup, 6);

        var text = report.ToString();

        var expected = report.Losses.Speedup.ToString("0.00", CultureInfo.InvariantCulture);
        Assert.Contains($", speedup {expected} over one worker on an idle machine, efficiency ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("speedup 1.95", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_RunQueueWaitMeasured_HeadlineAndLossesGiveOneSpeedup()
    {
        var report = Report(runQueueWait: TimeSpan.FromSeconds(0.843));

        var speedups = SpeedupOverIdle().Matches(report.Explain()).Select(static m => m.Groups[1].Value).ToArray();

        Assert.Equal(2, speedups.Length);
        Assert.Equal(speedups[0], speedups[1]);
    }

    [Fact]
    public void ToString_RunQueueWaitMeasured_EfficiencyIsThatSpeedupPerWorker()
    {
        var report = Report(runQueueWait: TimeSpan.FromSeconds(0.843));

        var efficiency = report.Losses.Speedup / report.WorkerCount * 100;

        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $", efficiency {efficiency:0}%"), report.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_RunQueueWaitNotMeasured_IsTheBusyTimeSpeedup_AndSaysWhatItIsOver()
    {
        var report = Report(runQueueWait: null);

        // Review 70: the losses' speedup (the same here), in the losses' words, not "over the items' busy time".
        Assert.Contains(", speedup 1.95 over one worker (waits for a core not measured), efficiency 98%", report.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_SequentialBaseline_StaysBusyShare()
    {
        var report = Report(runQueueWait: TimeSpan.FromSeconds(0.1), engine: "sequential", workers: 1);

        var text = report.ToString();

        Assert.Contains(", baseline, busy ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("speedup", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToString_RealThreadPoolRun_SaysWhatTheSpeedupIsOver()
    {
        var report = (await Runner.MapAsync(Enumerable.Range(0, 64).ToArray(), static x => x * 2, new RunOptions { Engine = Engine.ThreadPool }).Bounded()).Report;

        Assert.Matches(@", speedup \d+\.\d\d over (one worker on an idle machine|one worker \(waits for a core not measured\)), efficiency \d+%", report.ToString());
    }

    [GeneratedRegex(@"speedup (\d+\.\d\d) over one worker on an idle machine")]
    private static partial Regex SpeedupOverIdle();

    // Two workers busy 0.975 s each of a 1 s run; each waited runQueueWait of it for a core (null: not measured).
    private static RunReport Report(TimeSpan? runQueueWait, string engine = "threadpool", int workers = 2)
    {
        var busy = TimeSpan.FromSeconds(0.975);
        var cpu = busy - (runQueueWait ?? TimeSpan.Zero);
        var list = Enumerable.Range(0, workers).Select(id => new WorkerReport(id, $"worker-{id}", null, 50, 50, 0, busy, cpu)
        {
            Timing = new WorkerTiming(TimeSpan.Zero, busy - TimeSpan.FromMilliseconds(1), busy, id * 50L, 1, runQueueWait, TimeSpan.Zero),
        }).ToArray();
        return new RunReport
        {
            Engine = engine,
            Label = "made-up",
            DegreeOfParallelism = workers,
            Items = 50L * workers,
            Succeeded = 50L * workers,
            Batches = 50L * workers,
            WallTime = Wall,
            BusyTime = busy * workers,
            ProcessCpuTime = cpu * workers,
            WorkerCpuTime = cpu * workers,
            Workers = list,
        };
    }
}
