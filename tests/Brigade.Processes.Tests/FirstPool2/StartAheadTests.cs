using System.Collections;

namespace Brigade.Processes.Tests.FirstPool2;

/// <summary>
/// A run's first cold worker is started as the run starts, before its loops have their threads and first batches (the
/// first pool of a process, issue 16): it is the worker the first loop would have started, counted once and as cold,
/// and a run that ends before a loop takes it leaves it in the pool, not starting behind the run's back.
/// </summary>
public sealed class StartAheadTests
{
    [Fact(Timeout = 60_000)]
    public async Task TheWorkerStartedAhead_IsTheFirstLoopsWorker_StartedOnce_AndCold()
    {
        await using var engine = TestEngines.Create(o => o.MaxWorkers = 1);
        var result = await Runner.MapAsync([1, 2, 3, 4, 5], new Square(), new RunOptions { Engine = engine, CollectTimeline = true });

        Assert.Equal([1L, 4, 9, 16, 25], result.Values);
        Assert.Contains("(0 warm)", result.Report.Plan, StringComparison.Ordinal);
        var stats = engine.GetStatistics();
        Assert.Equal((1L, 1, 1), (stats.WorkersStarted, stats.LiveWorkers, stats.IdleWorkers));
    }

    [Fact(Timeout = 60_000)]
    public async Task ALaterRun_FindsItIdle_AndStartsNoneAhead()
    {
        await using var engine = TestEngines.Create(o => o.MaxWorkers = 1);
        await Runner.MapAsync([1, 2], new Square(), TestEngines.Run(engine));
        var result = await Runner.MapAsync([3, 4], new Square(), TestEngines.Run(engine));

        Assert.Equal([9L, 16], result.Values);
        Assert.Contains("(1 warm)", result.Report.Plan, StringComparison.Ordinal);
        Assert.Equal(1L, engine.GetStatistics().WorkersStarted);
    }

    [Fact(Timeout = 60_000)]
    public async Task AnEmptyInput_StartsNoWorker()
    {
        await using var engine = TestEngines.Create();
        var result = await Runner.MapAsync(Array.Empty<int>(), new Square(), TestEngines.Run(engine));

        Assert.Empty(result.Values);
        Assert.Equal(0L, engine.GetStatistics().WorkersStarted);
    }

    [Fact(Timeout = 60_000)]
    public async Task ARunCancelledBeforeItStarts_StartsNoWorker()
    {
        await using var engine = TestEngines.Create();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Runner.MapAsync([1, 2, 3], new Square(), TestEngines.Run(engine), cancelled.Token));
        Assert.Equal(0L, engine.GetStatistics().WorkersStarted);
    }

    [Fact(Timeout = 60_000)]
    public async Task AnInputThatFailsBeforeTheFirstItem_LeavesTheWorkerStartedAheadIdleInThePool_NotStarting()
    {
        await using var engine = TestEngines.Create(o => o.MaxWorkers = 1);

        var error = await Assert.ThrowsAsync<SourceFailedException>(() => Runner.MapAsync(new CountedButBroken(3), new Square(), TestEngines.Run(engine)));

        Assert.IsType<InvalidOperationException>(error.InnerException);

        // The run has ended, and so has the start it began: the worker is in the pool, healthy, and a later run takes it.
        var stats = engine.GetStatistics();
        Assert.Equal((1L, 1, 1), (stats.WorkersStarted, stats.LiveWorkers, stats.IdleWorkers));
        var next = await Runner.MapAsync([6], new Square(), TestEngines.Run(engine));
        Assert.Equal([36L], next.Values);
        Assert.Contains("(1 warm)", next.Report.Plan, StringComparison.Ordinal);
        Assert.Equal(1L, engine.GetStatistics().WorkersStarted);
    }

    // A collection whose count is known (so the run starts a worker ahead) and whose enumeration fails at once.
    private sealed class CountedButBroken(int count) : ICollection<int>
    {
        public int Count => count;

        public bool IsReadOnly => true;

        public IEnumerator<int> GetEnumerator() => throw new InvalidOperationException("the input is broken");

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public void Add(int item) => throw new NotSupportedException();

        public void Clear() => throw new NotSupportedException();

        public bool Contains(int item) => false;

        public void CopyTo(int[] array, int arrayIndex) => throw new NotSupportedException();

        public bool Remove(int item) => throw new NotSupportedException();
    }
}
