using Brigade.Reporting;

namespace Brigade.Tests.Review43;

/// <summary>
/// The HTML report's failure table named an item that failed in a worker process or on a silo "RemoteWorkException", where
/// the run's text (<see cref="ItemFailure.ToString"/>) names the type the work threw, and it listed no aggregate's inner types.
/// </summary>
public sealed class HtmlReportFailureTypeTests
{
    [Fact]
    public void RemoteFailure_TableNamesTheOriginalTypeAndAnAggregatesInnerTypes()
    {
        var remote = new RemoteWorkException("System.InvalidOperationException", "the ledger is closed", null, null, null);
        var aggregate = new AggregateException("two went wrong", new TimeoutException(), new ArgumentException());
        var report = new RunReport
        {
            Engine = "processes",
            DegreeOfParallelism = 2,
            Items = 10,
            Succeeded = 8,
            Failed = 2,
            WallTime = TimeSpan.FromMilliseconds(100),
            Failures = [new ItemFailure(7, remote), new ItemFailure(9, aggregate)],
        };

        var html = HtmlReport.ToHtml([report]);

        Assert.Contains("<td>InvalidOperationException: the ledger is closed</td>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("RemoteWorkException", html, StringComparison.Ordinal);
        Assert.Contains("[inner: TimeoutException, ArgumentException]", html, StringComparison.Ordinal);
    }
}
