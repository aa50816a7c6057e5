namespace Brigade.Processes.Tests.Review44;

/// <summary>
/// Review 44: a process engine disposed while a stream of its run was read failed the stream with
/// <see cref="ObjectDisposedException"/> (right) and left <see cref="RunStream{T}.Report"/> null: what had run, and
/// what the reader got, was nowhere. The report is now there, and the failure on <see cref="RunStream{T}.Failure"/>.
/// </summary>
public sealed class DisposedDuringStreamTests
{
    [Fact(Timeout = 120_000)]
    public async Task EngineDisposedAfterFiveResults_TheStreamThrows_AndItsReportAccountsForTheItems()
    {
        var engine = TestEngines.Create();
        var stream = Runner.StreamAsync(Enumerable.Range(0, 200), new R44Sleeps(), new RunOptions { Engine = engine, BatchSize = 1 });
        var received = 0;

        await Assert.ThrowsAsync<ObjectDisposedException>(async () =>
        {
            await foreach (var result in stream)
            {
                Assert.True(result.IsSuccess);
                if (++received == 5)
                {
                    await engine.DisposeAsync();
                }
            }
        });

        var report = stream.Report;
        Assert.NotNull(report);
        Assert.IsType<ObjectDisposedException>(stream.Failure);
        Assert.Equal(200, report.Items);
        Assert.Equal(received, report.Succeeded);
        Assert.Equal(report.Items, report.Succeeded + report.Failed + report.NotRun);
    }
}
