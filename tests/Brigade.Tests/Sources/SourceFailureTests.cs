using Brigade.Internal;
using Brigade.Sinks;
using Brigade.Sources;
using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Sources;

/// <summary>An input failure reaches the run even through a source that wraps another and knows nothing of failures.</summary>
public sealed class SourceFailureTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Run_WrappedSourceThrowsMidBatch_FailsWithSourceFailedAfterRunningItemsRead(bool asyncSource)
    {
        var error = new InvalidOperationException("the input broke");
        var inner = asyncSource ? ItemSource<int>.From(Inputs.ThrowingAfterAsync(5, error)) : ItemSource<int>.From(Inputs.ThrowingAfter(5, error));
        var wrapped = new PassThroughSource<int>(inner);
        var sink = new MapSink<int>(wrapped.Count);
        var work = WorkFunction<int, int>.FromSync(x => x, "work");

        var ex = await Assert.ThrowsAsync<SourceFailedException>(() =>
            RunPipeline.RunAsync(wrapped, work, sink, new RunOptions { Engine = Engine.Sequential }, null, CancellationToken.None).Bounded());

        Assert.Same(error, ex.InnerException);
        Assert.Equal(5, ex.ItemsRead);
        Assert.Equal(5, ex.Report.Succeeded);
    }

    /// <summary>A wrapper like the ones features add (windows, throttles): it forwards taking, and nothing else.</summary>
    private sealed class PassThroughSource<T>(ItemSource<T> inner) : ItemSource<T>
    {
        public override long? Count => inner.Count;

        public override long Taken => inner.Taken;

        public override bool IsAsynchronous => inner.IsAsynchronous;

        public override ItemBatch<T> Take(int maxCount, CancellationToken cancellationToken) => inner.Take(maxCount, cancellationToken);

        public override ValueTask<ItemBatch<T>> TakeAsync(int maxCount, CancellationToken cancellationToken) => inner.TakeAsync(maxCount, cancellationToken);

        protected override ValueTask CloseAsync() => inner.DisposeAsync();
    }
}
