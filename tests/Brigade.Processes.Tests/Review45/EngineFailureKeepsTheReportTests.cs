namespace Brigade.Processes.Tests.Review45;

/// <summary>
/// Review 45 (left by review 44): on the process engine, worker processes that cannot start or an engine disposed
/// mid-run threw that exception alone from <c>MapAsync</c>: the caller lost which items had succeeded. Each is now the
/// inner exception of a <see cref="RunFailedException"/> with the report (<see cref="RunReport.Error"/>).
/// </summary>
public sealed class EngineFailureKeepsTheReportTests
{
    private static readonly int[] Items = [1, 2, 3, 4, 5];

    [Fact(Timeout = 60_000)]
    public async Task WorkerHostNotFound_MapAsyncThrowsRunFailed_NoItemRan_TheStartErrorInside()
    {
        await using var engine = TestEngines.Create(o => o.WorkerPath = "/nonexistent/Brigade.Processes.Worker.dll");

        var thrown = await Assert.ThrowsAsync<RunFailedException>(() => Runner.MapAsync(Items, new Square(), TestEngines.Run(engine)));

        var inner = Assert.IsType<WorkerStartException>(thrown.InnerException);
        Assert.Contains("The worker host was not found at '/nonexistent/Brigade.Processes.Worker.dll'", inner.Message, StringComparison.Ordinal);
        Assert.Same(inner, thrown.Report.Error);
        Assert.Equal((5, 0, 0, 5), (thrown.Report.Items, thrown.Report.Succeeded, thrown.Report.Failed, thrown.Report.NotRun));
        Assert.StartsWith("The run was stopped by WorkerStartException: ", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("0 of 5 items succeeded, 0 failed, 5 not run", thrown.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task EngineDisposedMidRun_MapAsyncThrowsRunFailed_TheReportKeepsWhatSucceeded()
    {
        var engine = TestEngines.Create();
        var fiveDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new RunOptions { Engine = engine, BatchSize = 1, Progress = new Callback(p => { if (p.Completed >= 5) { fiveDone.TrySetResult(); } }) };
        var run = Runner.MapAsync(Enumerable.Range(0, 400).ToArray(), new Review44.R44Sleeps(), options);

        await fiveDone.Task.WaitAsync(TimeSpan.FromSeconds(90));
        await engine.DisposeAsync();

        var thrown = await Assert.ThrowsAsync<RunFailedException>(() => run.WaitAsync(TimeSpan.FromSeconds(60)));
        var inner = Assert.IsType<ObjectDisposedException>(thrown.InnerException);
        var report = thrown.Report;
        Assert.Equal(400, report.Items);
        Assert.InRange(report.Succeeded, 5, 399);
        Assert.Equal(report.Items, report.Succeeded + report.Failed + report.NotRun);
        Assert.True(report.NotRun > 0);
    }

    private sealed class Callback(Action<RunProgress> report) : IProgress<RunProgress>
    {
        public void Report(RunProgress value) => report(value);
    }
}
