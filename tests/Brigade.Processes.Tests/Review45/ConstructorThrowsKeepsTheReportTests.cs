namespace Brigade.Processes.Tests.Review45;

/// <summary>
/// Review 45 (left by review 44): a work type whose constructor throws in the worker failed <c>MapAsync</c> with a clear
/// <see cref="InvalidOperationException"/>, but no report: now inside a <see cref="RunFailedException"/> whose report
/// counts every item not run and names the error.
/// </summary>
public sealed class ConstructorThrowsKeepsTheReportTests
{
    private static readonly int[] Items = [1, 2, 3, 4, 5];

    [Fact(Timeout = 60_000)]
    public async Task ConstructorThatThrowsInTheWorker_MapAsyncThrowsRunFailed_WithTheReport()
    {
        await using var engine = TestEngines.Create(o => o.EnvironmentVariables["BRIGADE_TEST_IN_WORKER"] = "1");

        var thrown = await Assert.ThrowsAsync<RunFailedException>(() => Runner.MapAsync(Items, new FailsInWorker(), TestEngines.Run(engine)));

        var inner = Assert.IsType<InvalidOperationException>(thrown.InnerException);
        Assert.Contains("this work cannot be created here", inner.Message, StringComparison.Ordinal);
        Assert.Contains("this work cannot be created here", thrown.Message, StringComparison.Ordinal);
        Assert.Equal((5, 0, 5), (thrown.Report.Items, thrown.Report.Succeeded, thrown.Report.NotRun));
        Assert.False(thrown.Report.IsSuccess);
    }
}
