using System.Text.RegularExpressions;
using Brigade.Reporting;

namespace Brigade.Tests.Review72Report;

// Report 72 (fresh72): the HTML page printed RunReport.Speedup/Efficiency (busy time over wall, run-queue waits counted as
// work: "Speedup 13.87× Efficiency 87%") above "Why not faster: 1% of the ideal", while the one-line summary said "speedup
// 0.22 over one worker on an idle machine, efficiency 1%"; Explain() gave "efficiency 81%" then "0% of the ideal" without
// saying they are over different things; a cancelled run's page and trace said nothing of the cancellation.
// Made-up reports: no timing.
public sealed partial class PageAgreesWithSummaryTests
{
    private static readonly TimeSpan Wall = TimeSpan.FromSeconds(1);

    [Fact]
    public void Html_RunQueueWaitMeasured_ShowsTheSummarysSpeedupEfficiencyAndWhatItIsOver()
    {
        var report = Report(runQueueWait: TimeSpan.FromSeconds(0.843));
        Assert.Equal(1.95, report.Speedup, 6); // the busy time's figure, which the page printed before

        var summary = report.ToString();
        var html = Page(report);

        var speedup = SummarySpeedup().Match(summary);
        Assert.True(speedup.Success, summary);
        Assert.Contains($"{speedup.Groups[1].Value}×", html, StringComparison.Ordinal);
        Assert.Contains(speedup.Groups[2].Value, html, StringComparison.Ordinal); // "over one worker on an idle machine"
        Assert.Contains($">{speedup.Groups[3].Value}%<", html, StringComparison.Ordinal); // the efficiency cell
        Assert.DoesNotContain("1.95×", html, StringComparison.Ordinal);
        Assert.DoesNotContain(">98%<", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Html_RunQueueWaitNotMeasured_SaysSoBesideTheSpeedup()
    {
        var report = Report(runQueueWait: null);

        var html = Page(report);

        Assert.Contains("1.95×", html, StringComparison.Ordinal);
        Assert.Contains("over one worker (waits for a core not measured)", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_EfficiencyAndTheIdealShare_SayWhatEachIsOver()
    {
        var report = Report(runQueueWait: TimeSpan.FromSeconds(0.843));

        var lines = report.Explain().Split(Environment.NewLine);

        // The summary's efficiency is that speedup per worker; the losses' share is of the ideal, the items' own work.
        Assert.Matches(@", efficiency \d+% \(that speedup ÷ 2 workers\)", lines[0]);
        Assert.Matches(@"^Why not faster: \d+% of the ideal \(2 × wall = [^)]*\) was the items' own work", lines[1]);
    }

    [Fact]
    public void Html_CancelledRun_SaysCancelledAndHowManyRan()
    {
        var report = Report(runQueueWait: null, cancelledAfter: 4, items: 40);

        var html = Page(report);

        Assert.Contains("Cancelled", html, StringComparison.Ordinal);
        Assert.Contains("4 of 40 items done, 36 not run", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Html_CompleteRun_SaysNothingOfCancellation()
    {
        var html = Page(Report(runQueueWait: null));

        Assert.DoesNotContain("ancelled", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_CancelledRun_ProcessNameSaysCancelled()
    {
        var report = Report(runQueueWait: null, cancelledAfter: 4, items: 40);

        using var trace = System.Text.Json.JsonDocument.Parse(ChromeTrace.ToJson([report]));
        var name = trace.RootElement.GetProperty("traceEvents").EnumerateArray()
            .First(static e => e.GetProperty("name").GetString() == "process_name").GetProperty("args").GetProperty("name").GetString();

        Assert.Equal("run 1: threadpool ×2 — made-up (cancelled: 4 of 40 items done, 36 not run)", name);
    }

    // The page as a reader sees it (the writer encodes "×" as "&#215;").
    private static string Page(RunReport report) => System.Net.WebUtility.HtmlDecode(HtmlReport.ToHtml([report]));

    [GeneratedRegex(@", speedup (\d+\.\d\d) (over [^,]+), efficiency (\d+)%")]
    private static partial Regex SummarySpeedup();

    // Two workers busy 0.975 s each of a 1 s run; each waited runQueueWait of it for a core (null: not measured).
    private static RunReport Report(TimeSpan? runQueueWait, int? cancelledAfter = null, long? items = null)
    {
        const int workers = 2;
        var busy = TimeSpan.FromSeconds(0.975);
        var cpu = busy - (runQueueWait ?? TimeSpan.Zero);
        var perWorker = (cancelledAfter ?? 100) / workers;
        var list = Enumerable.Range(0, workers).Select(id => new WorkerReport(id, $"worker-{id}", null, perWorker, perWorker, 0, busy, cpu)
        {
            Timing = new WorkerTiming(TimeSpan.Zero, busy - TimeSpan.FromMilliseconds(1), busy, id * (long)perWorker, 1, runQueueWait, TimeSpan.Zero),
        }).ToArray();
        var done = (long)perWorker * workers;
        var all = items ?? done;
        return new RunReport
        {
            Engine = "threadpool",
            Label = "made-up",
            DegreeOfParallelism = workers,
            Items = all,
            Succeeded = done,
            NotRun = all - done,
            Cancelled = cancelledAfter is not null,
            Batches = done,
            WallTime = Wall,
            BusyTime = busy * workers,
            ProcessCpuTime = cpu * workers,
            WorkerCpuTime = cpu * workers,
            Workers = list,
        };
    }
}
