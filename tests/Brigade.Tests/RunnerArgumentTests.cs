using Brigade.Tests.Infrastructure;

namespace Brigade.Tests;

/// <summary>Mistakes the type system lets through are rejected at the call, with a message saying what to write instead.</summary>
public sealed class RunnerArgumentTests
{
    private static readonly int[] Items = [1, 2, 3];

    // Runs a call for its synchronous effect only: the rejection must happen at the call, before any task exists.
    private static Action AtCall(Func<object> call) => () => _ = call();

    [Fact]
    public void ForEachAsync_AsyncVoidLambda_ThrowsArgumentException()
    {
        var ex = Assert.Throws<ArgumentException>(AtCall(() => Runner.ForEachAsync(Items, async x => await Task.Yield())));

        Assert.Equal("work", ex.ParamName);
        Assert.Contains("async void", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForEachAsync_AsyncVoidLambdaOverAsyncSource_ThrowsArgumentException()
    {
        var ex = Assert.Throws<ArgumentException>(AtCall(() => Runner.ForEachAsync(Inputs.Async(Items), async x => await Task.Yield())));

        Assert.Equal("work", ex.ParamName);
    }

    [Fact]
    public async Task ForEachAsync_PlainLambda_IsAccepted()
    {
        var sum = 0;

        var report = await Runner.ForEachAsync(Items, x => Interlocked.Add(ref sum, x)).Bounded();

        Assert.Equal(6, sum);
        Assert.True(report.IsSuccess);
    }

    [Fact]
    public void MapAsync_SyncWorkReturningTask_ThrowsArgumentException()
    {
        var ex = Assert.Throws<ArgumentException>(AtCall(() => Runner.MapAsync(Items, x => Task.FromResult(x))));

        Assert.Equal("work", ex.ParamName);
        Assert.Contains("(item, cancellationToken) =>", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MapAsync_AsyncLambdaWithoutToken_ThrowsArgumentException()
    {
        // One parameter binds to Func<int, Task<int>>: the results would be unfinished tasks.
        Assert.Throws<ArgumentException>(AtCall(() => Runner.MapAsync(Items, async x =>
        {
            await Task.Yield();
            return x;
        })));
    }

    [Fact]
    public void RunnerOperations_SyncWorkReturningTaskLikes_ThrowArgumentException()
    {
        Assert.Throws<ArgumentException>(AtCall(() => Runner.MapAsync(Items, x => new ValueTask<int>(x))));
        Assert.Throws<ArgumentException>(AtCall(() => Runner.MapAsync(Items, x => Task.CompletedTask)));
        Assert.Throws<ArgumentException>(AtCall(() => Runner.MapAsync(Items, x => ValueTask.CompletedTask)));
        Assert.Throws<ArgumentException>(AtCall(() => Runner.MapAsync(Inputs.Async(Items), x => Task.FromResult(x))));
        Assert.Throws<ArgumentException>(AtCall(() => Runner.StreamAsync(Items, x => Task.FromResult(x))));
        Assert.Throws<ArgumentException>(AtCall(() => Runner.MapReduceAsync(Items, x => Task.FromResult(x), (a, _) => a)));
    }

    [Fact]
    public async Task RunnerOperations_NullArguments_ThrowArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>("source", AtCall(() => Runner.MapAsync((int[])null!, x => x)));
        Assert.Throws<ArgumentNullException>("work", AtCall(() => Runner.MapAsync(Items, (Func<int, int>)null!)));
        Assert.Throws<ArgumentNullException>("source", AtCall(() => Runner.StreamAsync((int[])null!, x => x)));
        Assert.Throws<ArgumentNullException>("work", AtCall(() => Runner.ForEachAsync(Items, (Action<int>)null!)));
        Assert.Throws<ArgumentNullException>("work", AtCall(() => Runner.ForEachAsync(Items, (Func<int, CancellationToken, ValueTask>)null!)));
        await Assert.ThrowsAsync<ArgumentNullException>("combine", () => Runner.MapReduceAsync(Items, x => x, null!));
    }

    // Review 71: the work-type overloads of StreamAsync checked a null source only when the stream was enumerated (inside
    // the deferred source), where the delegate overloads throw at the call, as their docs say.
    [Fact]
    public void StreamAsync_WorkTypeWithNullSource_ThrowsAtTheCall()
    {
        var work = new Increment();
        Assert.Throws<ArgumentNullException>("source", AtCall(() => Runner.StreamAsync((int[])null!, (IWork<int, int>)work)));
        Assert.Throws<ArgumentNullException>("source", AtCall(() => Runner.StreamAsync((int[])null!, (IAsyncWork<int, int>)work)));
        Assert.Throws<ArgumentNullException>("source", AtCall(() => Runner.StreamAsync((IAsyncEnumerable<int>)null!, (IWork<int, int>)work)));
        Assert.Throws<ArgumentNullException>("source", AtCall(() => Runner.StreamAsync((IAsyncEnumerable<int>)null!, (IAsyncWork<int, int>)work)));
    }

    private sealed class Increment : IWork<int, int>, IAsyncWork<int, int>
    {
        public int Execute(int input) => input + 1;

        public ValueTask<int> ExecuteAsync(int input, CancellationToken cancellationToken) => new(input + 1);
    }

    [Fact]
    public async Task RunStream_EnumeratedTwice_ThrowsInvalidOperationException()
    {
        var stream = Runner.StreamAsync(Items, x => x);
        async Task DrainAsync()
        {
            await foreach (var _ in stream)
            {
            }
        }

        await DrainAsync().Bounded();

        Assert.Throws<InvalidOperationException>(() => stream.GetAsyncEnumerator());
    }
}
