using System.Text.Json;
using System.Text.RegularExpressions;
using Brigade.Internal;
using Brigade.Reporting;

namespace Brigade.Tests.Review40;

/// <summary>The HTML report and the Chrome trace of runs with some failed items or a truncated timeline (review 40).</summary>
public sealed partial class ReportOutputTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    // One worker, 5,000 one-item batches of 10 µs in 100 bursts of 50 back to back, 5 ms apart, the first of each burst
    // failing: more batches than the page draws one by one, so each burst is drawn as one bar holding one failed item.
    private static RunReport OnePercentFailing()
    {
        var timeline = new List<TimelineEvent>();
        for (var i = 0; i < 5_000; i++)
        {
            var start = Ms(i / 50 * 5.0) + TimeSpan.FromTicks(100L * (i % 50));
            timeline.Add(new TimelineEvent(0, i, 1, i % 50 == 0 ? 1 : 0, start, TimeSpan.FromTicks(100), null));
        }

        return new RunReport
        {
            Engine = "threadpool",
            DegreeOfParallelism = 1,
            Items = 5_000,
            Succeeded = 4_900,
            Failed = 100,
            WallTime = Ms(500),
            BusyTime = Ms(50),
            Batches = 5_000,
            Workers = [new WorkerReport(0, "worker 0", null, 5_000, 5_000, 100, Ms(50), null)],
            Timeline = timeline,
            Counters = new LossProbe(0, 0, 0),
        };
    }

    [Fact]
    public void MergedBars_WithAFewFailedItems_AreNotDrawnAllRed()
    {
        // Failed before the fix: every merged bar held a failed item and was drawn red ("bar failed merged"): a run with
        // 1% of its items failing read as failed from start to end.
        var html = HtmlReport.ToHtml([OnePercentFailing()]);
        var bars = BarClass().Matches(html).Select(m => m.Groups[1].Value).ToArray();

        Assert.Equal(100, bars.Length);
        Assert.All(bars, c => Assert.Contains("partly", c, StringComparison.Ordinal));
        Assert.Contains(".bar.failed.partly{fill:#2e7d32}", html, StringComparison.Ordinal);
        Assert.Equal(bars.Length, FailShare().Count(html));
    }

    [Fact]
    public void BarWhoseItemsAllFailed_StaysRed()
    {
        var report = OnePercentFailing();
        var html = HtmlReport.ToHtml([new RunReport
        {
            Engine = report.Engine,
            DegreeOfParallelism = 1,
            Items = 1,
            Failed = 1,
            WallTime = Ms(10),
            BusyTime = Ms(10),
            Batches = 1,
            Workers = [new WorkerReport(0, "worker 0", null, 1, 1, 1, Ms(10), null)],
            Timeline = [new TimelineEvent(0, 0, 1, 1, TimeSpan.Zero, Ms(10), null)],
            Counters = new LossProbe(0, 0, 0),
        }]);

        Assert.Equal("bar failed", Assert.Single(BarClass().Matches(html)).Groups[1].Value);
        Assert.Equal(0, FailShare().Count(html));
    }

    [Fact]
    public async Task TruncatedTimeline_SaysSoInTheTrace()
    {
        // Failed before the fix: the trace of a run whose timeline stopped at MaxTimelineEvents drew the first batches
        // only, with nothing to tell it from a run that ended there.
        var report = await Runner.ForEachAsync(Enumerable.Range(0, 200), _ => { }, new RunOptions { Engine = Engine.ThreadPool, MaxDegreeOfParallelism = 2, BatchSize = 1, MaxTimelineEvents = 10 });
        Assert.True(report.TimelineTruncated);

        using var doc = JsonDocument.Parse(ChromeTrace.ToJson([report]));
        var name = doc.RootElement.GetProperty("traceEvents").EnumerateArray()
            .Single(e => e.GetProperty("name").GetString() == "process_name")
            .GetProperty("args").GetProperty("name").GetString();

        Assert.Contains("timeline truncated: the first 10 of 200 batches", name, StringComparison.Ordinal);
    }

    [GeneratedRegex("<rect class=\"(bar[^\"]*)\"")]
    private static partial Regex BarClass();

    [GeneratedRegex("<rect class=\"failshare\"")]
    private static partial Regex FailShare();
}
