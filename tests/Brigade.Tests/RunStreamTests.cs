using Brigade.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Brigade.Tests;

/// <summary>A stream's reader always ends: with the results, or with the run's error, never by waiting forever.</summary>
public sealed class RunStreamTests
{
    private static async Task<List<ItemResult<int>>> ReadAllAsync(RunStream<int> stream)
    {
        var results = new List<ItemResult<int>>();
        await foreach (var r in stream)
        {
            results.Add(r);
        }

        return results;
    }

    [Fact]
    public async Task StreamAsync_EngineThrowsBeforeRunning_ReaderGetsTheError()
    {
        var options = new RunOptions { Engine = new BrokenEngine() };

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => ReadAllAsync(Runner.StreamAsync(new[] { 1, 2, 3 }, x => x, options)).Bounded());

        Assert.Equal(BrokenEngine.Message, ex.Message);
    }

    [Fact]
    public async Task StreamAsync_ProgressCallbackThrowsAtTheEnd_ReaderStillGetsEveryResult()
    {
        // A fake clock that never moves: the only progress report is the final one, which throws. Progress is a
        // display, so its failure must not cost the results.
        var options = new RunOptions { Engine = Engine.Sequential, TimeProvider = new FakeTimeProvider(), Progress = new ThrowingProgress() };

        var results = await ReadAllAsync(Runner.StreamAsync(new[] { 1, 2, 3 }, x => x, options)).Bounded();

        Assert.Equal([1, 2, 3], results.Select(r => r.Value).Order());
    }

    [Fact]
    public async Task MapAsync_EngineThrowsBeforeRunning_CallThrowsTheError()
    {
        var options = new RunOptions { Engine = new BrokenEngine() };

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => Runner.MapAsync(new[] { 1, 2, 3 }, x => x, options).Bounded());

        Assert.Equal(BrokenEngine.Message, ex.Message);
    }

    /// <summary>An engine whose width cannot be computed: the run fails before any worker starts.</summary>
    private sealed class BrokenEngine : Engine
    {
        public const string Message = "This engine cannot say how wide it is.";

        public override string Name => "broken";

        public override int GetDefaultDegreeOfParallelism() => throw new InvalidOperationException(Message);

        protected internal override Task ExecuteAsync<TIn, TOut>(EngineJob<TIn, TOut> job) => Task.CompletedTask;
    }

    private sealed class ThrowingProgress : IProgress<RunProgress>
    {
        public void Report(RunProgress value) => throw new InvalidOperationException("The progress display broke.");
    }
}
