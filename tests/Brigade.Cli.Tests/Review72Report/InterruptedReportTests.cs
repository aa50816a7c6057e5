using Brigade.Cli.Run;
using Brigade.Reporting;

namespace Brigade.Cli.Tests.Review72Report;

/// <summary>Report 72 (fresh72): <c>brigade run</c> Ctrl+C'd at 36 of a 60-line input wrote a --report page saying "Items 40,
/// Not run 4" (the lines the engine had read) and no word of the interrupt, while its summary said "36 items, 0 failed;
/// interrupted". The report it writes for an interrupted run now says so and counts the input as the summary does.</summary>
public sealed class InterruptedReportTests
{
    [Fact]
    public async Task InterruptedReport_TotalKnown_PageSaysInterrupted_AndCountsTheInput()
    {
        var report = await EngineReportAsync(40);
        var counters = new RunCounters { Total = 60 };
        for (var i = 0; i < 36; i++)
        {
            counters.OnDelivered(failed: false);
        }

        var interrupted = BatchJob.InterruptedReport(report, counters);
        var html = System.Net.WebUtility.HtmlDecode(HtmlReport.ToHtml([interrupted]));
        using var json = System.Text.Json.JsonDocument.Parse(ChromeTrace.ToJson([interrupted]));
        var trace = json.RootElement.GetProperty("traceEvents")[0].GetProperty("args").GetProperty("name").GetString();

        Assert.True(interrupted.Cancelled);
        Assert.Equal(60, interrupted.Items);
        Assert.Equal(24, interrupted.NotRun);
        Assert.Contains("Interrupted", html, StringComparison.Ordinal);
        Assert.Contains("<b>Interrupted:</b> 36 of 60 items done, 24 not done", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Interrupted:</b> interrupted", html, StringComparison.Ordinal);
        Assert.Contains("<div class=\"k\">Items</div><div class=\"v\">60</div>", html, StringComparison.Ordinal);
        Assert.Contains("<div class=\"k\">Not run</div><div class=\"v\">24</div>", html, StringComparison.Ordinal);
        Assert.Contains("(interrupted: 36 of 60 items done, 24 not done)", trace, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InterruptedReport_TotalUnknown_CountsTheLinesReadSoFar()
    {
        var report = await EngineReportAsync(40);
        var counters = new RunCounters();
        for (var i = 0; i < 36; i++)
        {
            counters.OnDelivered(failed: false);
        }

        var html = System.Net.WebUtility.HtmlDecode(HtmlReport.ToHtml([BatchJob.InterruptedReport(report, counters)]));

        Assert.Contains("Interrupted:</b> 36 of the 40 items read so far done, 4 not done (the input's total not known)", html, StringComparison.Ordinal);
    }

    private static async Task<RunReport> EngineReportAsync(int items) =>
        (await Runner.MapAsync(Enumerable.Range(0, items).ToArray(), static x => x, new RunOptions { Engine = Engine.ThreadPool })).Report;
}
