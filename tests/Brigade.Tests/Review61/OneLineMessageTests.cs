using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Review61;

/// <summary>
/// An engine disposed while a map ran (lib61's program: a <c>ProcessEngine</c> disposed mid-run) gave a
/// <see cref="RunFailedException"/> whose message ran over two lines: "The run was stopped by ObjectDisposedException: The
/// process engine was disposed during the run.\nObject name: 'ProcessEngine'; 8 of 40 items succeeded, ...": the
/// disposed-object text breaks its line. The message is one line; the report and the partial results are as they were.
/// </summary>
public sealed class OneLineMessageTests
{
    [Fact]
    public async Task MapAsync_EngineDisposedDuringTheRun_MessageIsOneLineAndKeepsTheReport()
    {
        var e = await Assert.ThrowsAsync<RunFailedException>(() =>
            Runner.MapAsync(new[] { 1, 2, 3 }, x => x, new RunOptions { Engine = new DisposedEngine() }).Bounded());

        Assert.IsType<ObjectDisposedException>(e.InnerException);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains("Object name: 'MyEngine'", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, e.Report.NotRun);
        Assert.IsType<RunResult<int>>(e.PartialResult);
    }

    private sealed class DisposedEngine : Engine
    {
        public override string Name => "disposed";

        public override int GetDefaultDegreeOfParallelism() => 1;

        // Disposed during the run, once it has read the items (lib63: an engine disposed before it read anything gets the
        // ObjectDisposedException as it is, nothing being lost).
        protected internal override Task ExecuteAsync<TIn, TOut>(EngineJob<TIn, TOut> job)
        {
            job.TakeBatch(job.CreateWorker(TimeSpan.FromMilliseconds(1), "worker"), 3);
            throw new ObjectDisposedException("MyEngine");
        }
    }
}
