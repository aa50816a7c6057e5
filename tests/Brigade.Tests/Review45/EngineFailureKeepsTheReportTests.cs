using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Review45;

/// <summary>
/// Review 45 (left by review 44): <c>MapAsync</c> (and <c>ForEachAsync</c>, <c>MapReduceAsync</c>) after an engine's own
/// failure threw that exception alone: which items had succeeded, and how many never ran, was lost. It is now the
/// inner exception of a <see cref="RunFailedException"/> whose report accounts for every item and names the error
/// (<see cref="RunReport.Error"/>); a stream's reader still gets the engine's exception, with the report on the stream.
/// </summary>
public sealed class EngineFailureKeepsTheReportTests
{
    [Theory(Timeout = 30_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EngineThrowsAfterThreeItems_MapAsyncThrowsRunFailed_WithTheReport_AndTheErrorInside(bool failsThroughJob)
    {
        var engine = new BreaksAfter(3, failsThroughJob);

        var thrown = await Assert.ThrowsAsync<RunFailedException>(() => Runner.MapAsync(Enumerable.Range(0, 10).ToArray(), x => x * 2, new RunOptions { Engine = engine }).Bounded());

        var inner = Assert.IsType<InvalidOperationException>(thrown.InnerException);
        Assert.Equal(BreaksAfter.Message, inner.Message);
        var report = thrown.Report;
        Assert.Same(inner, report.Error);
        Assert.Equal(10, report.Items);
        Assert.Equal(3, report.Succeeded);
        Assert.Equal(0, report.Failed);
        Assert.Equal(7, report.NotRun);
        Assert.False(report.IsSuccess);
        Assert.StartsWith($"The run was stopped by InvalidOperationException: {BreaksAfter.Message.TrimEnd('.')}; 3 of 10 items succeeded, 0 failed, 7 not run", thrown.Message, StringComparison.Ordinal);
        Assert.Contains($"stopped by InvalidOperationException: {BreaksAfter.Message}", report.ToString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task EngineThrowsWithABatchInHand_OverALazyInput_TheReportIsNotASuccess_AndCountsTheBatchNotRun()
    {
        // A lazy input: before, a run whose engine failed after 3 items read 3 items, 3 succeeded, IsSuccess true.
        var engine = new BreaksAfter(3, failsThroughJob: false, takesOneMore: true);

        var thrown = await Assert.ThrowsAsync<RunFailedException>(() => Runner.MapAsync(Lazy(10), x => x * 2, new RunOptions { Engine = engine }).Bounded());

        var report = thrown.Report;
        Assert.Equal(4, report.Items);
        Assert.Equal(3, report.Succeeded);
        Assert.Equal(1, report.NotRun);
        Assert.False(report.IsSuccess);
        Assert.IsType<InvalidOperationException>(report.Error);
    }

    [Fact(Timeout = 30_000)]
    public async Task ForEachAndMapReduce_GetTheReportToo()
    {
        var forEach = await Assert.ThrowsAsync<RunFailedException>(() => Runner.ForEachAsync(Enumerable.Range(0, 10).ToArray(), _ => { }, new RunOptions { Engine = new BreaksAfter(2, false) }).Bounded());
        var reduce = await Assert.ThrowsAsync<RunFailedException>(() => Runner.MapReduceAsync(Enumerable.Range(0, 10).ToArray(), x => x, (a, b) => a + b, new RunOptions { Engine = new BreaksAfter(2, true) }).Bounded());

        Assert.Equal((2, 8), (forEach.Report.Succeeded, forEach.Report.NotRun));
        Assert.Equal((2, 8), (reduce.Report.Succeeded, reduce.Report.NotRun));
        Assert.IsType<InvalidOperationException>(forEach.InnerException);
        Assert.IsType<InvalidOperationException>(reduce.InnerException);
    }

    [Fact(Timeout = 30_000)]
    public async Task AStreamsReader_StillGetsTheEnginesException_AndTheStreamsReportNamesIt()
    {
        var stream = Runner.StreamAsync(Enumerable.Range(0, 10).ToArray(), x => x, new RunOptions { Engine = new BreaksAfter(3, false) });
        var received = 0;

        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var result in stream)
            {
                received++;
            }
        }).Bounded();

        Assert.Equal(3, received);
        Assert.IsType<InvalidOperationException>(stream.Report!.Error);
        Assert.Equal(7, stream.Report.NotRun);
    }

    [Fact(Timeout = 30_000)]
    public async Task ACallWrongFromTheStart_KeepsItsOwnException()
    {
        // A contract error found before any item ran is not wrapped: nothing ran, and the caller's catch still matches.
        await Assert.ThrowsAsync<NotSupportedException>(() => Runner.MapAsync(Enumerable.Range(0, 10).ToArray(), x => x, new RunOptions { Engine = new Refuses() }).Bounded());
    }

    private static IEnumerable<int> Lazy(int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return i;
        }
    }

    /// <summary>Runs <c>items</c> items one at a time on the calling thread, then fails: throws, or reports through the job.</summary>
    private sealed class BreaksAfter(int items, bool failsThroughJob, bool takesOneMore = false) : Engine
    {
        public const string Message = "The engine broke.";

        public override string Name => "breaks";

        public override int GetDefaultDegreeOfParallelism() => 1;

        protected internal override Task ExecuteAsync<TIn, TOut>(EngineJob<TIn, TOut> job)
        {
            var worker = job.CreateWorker(TimeSpan.FromMilliseconds(1));
            for (var i = 0; i < items; i++)
            {
                job.ExecuteBatch(worker, job.TakeBatch(worker, 1));
            }

            if (takesOneMore)
            {
                _ = job.TakeBatch(worker, 1);
            }

            if (failsThroughJob)
            {
                job.Fail(new InvalidOperationException(Message));
                return Task.CompletedTask;
            }

            throw new InvalidOperationException(Message);
        }
    }

    private sealed class Refuses : Engine
    {
        public override string Name => "refuses";

        public override int GetDefaultDegreeOfParallelism() => 1;

        protected internal override Task ExecuteAsync<TIn, TOut>(EngineJob<TIn, TOut> job) => throw new NotSupportedException("This engine runs no delegates.");
    }
}
