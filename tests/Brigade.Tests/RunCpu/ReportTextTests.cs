using System.Text.RegularExpressions;
using Brigade.Internal;
using Brigade.Reporting;

namespace Brigade.Tests.RunCpu;

/// <summary>Review 40's report text leftovers, on made-up reports: the page's heading width, one worker named as one, and
/// the charts after a truncated timeline's cut.</summary>
public sealed partial class ReportTextTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    // Two workers of 100 ms of batches each, overlapping, on a run whose width ended at 1 (auto mode's last plan), the first
    // worker's last batch ending at 50 ms and the other's at 100 ms.
    private static RunReport TwoWorkersWidthOne() => new()
    {
        Engine = "auto",
        DegreeOfParallelism = 1,
        Items = 3,
        Succeeded = 3,
        WallTime = Ms(100),
        BusyTime = Ms(150),
        Batches = 3,
        Workers =
        [
            new WorkerReport(0, "auto worker 0", null, 1, 1, 0, Ms(50), Ms(50)) { Timing = new WorkerTiming(TimeSpan.Zero, TimeSpan.Zero, Ms(50), 0, 1, null, TimeSpan.Zero) },
            new WorkerReport(1, "auto worker 1", null, 2, 2, 0, Ms(100), Ms(100)) { Timing = new WorkerTiming(TimeSpan.Zero, Ms(50), Ms(100), 2, 1, null, TimeSpan.Zero) },
        ],
        Timeline =
        [
            new TimelineEvent(0, 0, 1, 0, TimeSpan.Zero, Ms(50), Ms(50)),
            new TimelineEvent(1, 1, 1, 0, TimeSpan.Zero, Ms(50), Ms(50)),
            new TimelineEvent(1, 2, 1, 0, Ms(50), Ms(50), Ms(50)),
        ],
        WorkerCpuTime = Ms(150),
        ProcessCpuTime = Ms(150),
        Counters = new LossProbe(0, 0, 0),
    };

    [Fact]
    public void PageHeading_OfARunThatUsedTwoWorkers_SaysTwo()
    {
        // Failed before the fix: "Run 1: auto ×1" over two lanes that ran at the same time.
        var html = HtmlReport.ToHtml([TwoWorkersWidthOne()]);

        Assert.Contains("<h2>Run 1: auto &#215;2</h2>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Summary_OfARunThatUsedTwoWorkers_SaysTwo()
    {
        // Failed before: "auto ×1: 3 items …" while the page and the trace said ×2.
        Assert.StartsWith("auto ×2: 3 items", TwoWorkersWidthOne().ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Imbalance_WithOneOtherWorker_NamesItAsOne()
    {
        // Failed before the fix: "the other 1 workers sat idle 50 ms on average at the end".
        var imbalance = TwoWorkersWidthOne().Losses.Causes.Single(c => c.Cause == LossCause.Imbalance);

        Assert.DoesNotContain("1 workers", imbalance.Description, StringComparison.Ordinal);
        Assert.Contains("the other worker sat idle 50 ms at the end", imbalance.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Charts_AfterATruncatedTimelinesCut_StopThere()
    {
        // One worker busy throughout a 100 ms run, its timeline cut after the batches of the first 40 ms. Failed before the
        // fix: both charts drew their 100 columns, the last 60 at zero, a run that seemed to stop working.
        var timeline = Enumerable.Range(0, 40).Select(i => new TimelineEvent(0, i, 1, 0, Ms(i), Ms(1), null)).ToList();
        var report = new RunReport
        {
            Engine = "threadpool",
            DegreeOfParallelism = 1,
            Items = 100,
            Succeeded = 100,
            WallTime = Ms(100),
            BusyTime = Ms(100),
            Batches = 100,
            Workers = [new WorkerReport(0, "worker 0", null, 100, 100, 0, Ms(100), null)],
            Timeline = timeline,
            TimelineTruncated = true,
            Counters = new LossProbe(0, 0, 0),
        };

        var html = HtmlReport.ToHtml([report]);
        var columns = Column().Matches(html).Select(m => m.Groups[1].Value).ToArray();

        // 40 columns a chart, each full (100% busy, 1,000 items/s), and the cut said once per chart.
        Assert.Equal(80, columns.Length);
        Assert.DoesNotContain("0% busy", columns);
        Assert.DoesNotContain("0 items/s", columns);
        Assert.Equal(2, Regex.Count(html, "after the timeline&#39;s cut: not recorded"));
    }

    [GeneratedRegex("<rect class=\"col\"[^>]*><title>([^<]*)</title>")]
    private static partial Regex Column();
}
