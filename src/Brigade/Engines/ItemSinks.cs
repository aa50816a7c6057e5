using Brigade.Internal;

namespace Brigade.Engines;

/// <summary>Where <see cref="ItemLoop"/> puts each item's outcome; offsets count from the batch's first item.</summary>
internal interface IItemSink<TOut>
{
    /// <summary>The item at <paramref name="offset"/> returned <paramref name="value"/>.</summary>
    void Succeeded(int offset, TOut value);

    /// <summary>The item at <paramref name="offset"/> failed with <paramref name="error"/>.</summary>
    void Failed(int offset, Exception error);

    /// <summary>Called between items, once the first <paramref name="done"/> are finished: <see langword="false"/> stops the
    /// loop there. The in-process sinks return <see langword="true"/> (the JIT drops the call); the remote sink sends a
    /// chunk of results mid-batch here. Must not throw.</summary>
    bool Continue(int done);
}

/// <summary>Stores each result in the batch's span of the results, and records failures with the run.</summary>
internal ref struct ValuesSink<TOut> : IItemSink<TOut>
{
    private readonly Span<TOut> _values;
    private readonly RunFailures _run;
    private readonly long _start;
    private readonly ItemAttempts? _attempts;

    public ValuesSink(Span<TOut> values, RunFailures run, long start, ItemAttempts? attempts = null)
    {
        _values = values;
        _run = run;
        _start = start;
        _attempts = attempts;
    }

    /// <summary>Gets the batch's failures, in order; null when none.</summary>
    public List<ItemFailure>? Failures;

    public readonly void Succeeded(int offset, TOut value) => _values[offset] = value;

    public void Failed(int offset, Exception error) => _run.Record(_start + offset, error, ref Failures, _attempts?.ForFailure ?? 1);

    public readonly bool Continue(int done) => true;
}

/// <summary>An <see cref="IItemSink{TOut}"/> for <see cref="ItemLoop.RunAsync"/>, which also ends the batch.</summary>
internal interface IAsyncItemSink<TOut> : IItemSink<TOut>
{
    /// <summary>The batch's items are done, <paramref name="ran"/> of them finished: end the batch (bookkeeping, hooks, delivery).</summary>
    ValueTask EndAsync(int ran);

    /// <summary>As <see cref="EndAsync(int)"/>; <paramref name="awaited"/>: an item's task was pending when the loop got it, so
    /// the batch's thread ran other work while it waited (<see cref="EngineWorker"/> then spares its CPU clock reads).</summary>
    /// <remarks>The engine's sinks implement it (a struct's call to a default interface method would box it).</remarks>
    ValueTask EndAsync(int ran, bool awaited) => EndAsync(ran);

    /// <summary>Gets the race through which a pending item is awaited (<see cref="ItemRace{TOut}"/>), reused across the
    /// worker's items; null to await the item itself (the remote side: its host kills a worker that ignores a cancel).</summary>
    ItemRace<TOut>? Race();
}

/// <summary>An awaited batch of an <see cref="EngineJob{TIn, TOut}"/>: stores results in the batch's memory (a span cannot live across awaits), records failures with the run, and ends the batch.</summary>
internal struct AwaitedBatchSink<TIn, TOut>(EngineJob<TIn, TOut> job, EngineWorker worker, ItemBatch<TIn> batch, Memory<TOut> values, ItemAttempts? attempts) : IAsyncItemSink<TOut>
{
    private List<ItemFailure>? _failures;

    public readonly void Succeeded(int offset, TOut value) => values.Span[offset] = value;

    public void Failed(int offset, Exception error) => job.Failures.Record(batch.StartIndex + offset, error, ref _failures, attempts?.ForFailure ?? 1);

    public readonly bool Continue(int done) => true;

    public readonly ValueTask EndAsync(int ran) => EndAsync(ran, awaited: false);

    public readonly ValueTask EndAsync(int ran, bool awaited) => job.EndBatch(worker, batch, ran, values, _failures, awaited);

    public readonly ItemRace<TOut>? Race() => worker.Race<TOut>(job.Time, job.LeaveToken, job.CallerToken);
}

/// <summary>For-each work: no result to store (the JIT drops the call), failures recorded with the run.</summary>
internal struct NoResultSink(RunFailures run, long start) : IItemSink<Unit>
{
    /// <summary>Gets the batch's failures, in order; null when none.</summary>
    public List<ItemFailure>? Failures;

    public readonly void Succeeded(int offset, Unit value)
    {
    }

    public void Failed(int offset, Exception error) => run.Record(start + offset, error, ref Failures);

    public readonly bool Continue(int done) => true;
}
