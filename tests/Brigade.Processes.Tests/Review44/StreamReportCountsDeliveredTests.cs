namespace Brigade.Processes.Tests.Review44;

/// <summary>
/// Review 44: on the process engine too, the report of a stream its reader left or cancelled counted results that
/// finished after the reader stopped and never reached it. It now counts what the reader received; the rest are
/// <see cref="RunReport.Undelivered"/>.
/// </summary>
/// <remarks>Item 0, the first an ordered stream hands out, finishes only once item 1 has ended on the other worker.</remarks>
public sealed class StreamReportCountsDeliveredTests
{
    [Fact(Timeout = 120_000)]
    public async Task ReaderBreaksAfterTheFirstResult_AnUndeliveredSuccessIsNotCounted()
    {
        var directory = Directory.CreateTempSubdirectory("brigade-r44-");
        try
        {
            await using var engine = TestEngines.Create();
            var stream = Runner.StreamAsync(Inputs(directory, "succeed"), new R44WaitsForItsNeighbour(), Options(engine));
            var received = new List<int>();
            await foreach (var result in stream)
            {
                received.Add(result.Value);
                break;
            }

            var report = stream.Report!;
            Assert.Equal([0], received);
            Assert.Equal(1, report.Succeeded);
            Assert.Equal(0, report.Failed);
            Assert.True(report.Abandoned);
            Assert.False(report.Cancelled);
            Assert.InRange(report.Undelivered, 1, 9);
            Assert.Equal(report.Items, report.Succeeded + report.Failed + report.NotRun);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task ReaderCancelsAfterTheFirstResult_AnUndeliveredFailureIsNotCounted()
    {
        var directory = Directory.CreateTempSubdirectory("brigade-r44-");
        try
        {
            await using var engine = TestEngines.Create();
            var stream = Runner.StreamAsync(Inputs(directory, "fail"), new R44WaitsForItsNeighbour(), Options(engine));
            using var cts = new CancellationTokenSource();
            var received = new List<int>();
            var thrown = await Assert.ThrowsAsync<RunCanceledException>(async () =>
            {
                await foreach (var result in stream.WithCancellation(cts.Token))
                {
                    received.Add(result.Value);
                    await cts.CancelAsync();
                }
            });

            var report = thrown.Report;
            Assert.Equal([0], received);
            Assert.Equal(1, report.Succeeded);
            Assert.Equal(0, report.Failed);
            Assert.Empty(report.Failures);
            Assert.True(report.Cancelled);
            Assert.False(report.Abandoned);
            Assert.InRange(report.Undelivered, 1, 9);
            Assert.Equal(report.Items, report.Succeeded + report.Failed + report.NotRun);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static IEnumerable<string> Inputs(DirectoryInfo directory, string mode) =>
        Enumerable.Range(0, 10).Select(i => $"{directory.FullName}|{i}|{mode}");

    private static RunOptions Options(Engine engine) => new() { Engine = engine, BatchSize = 1, PreserveOrder = true };
}
