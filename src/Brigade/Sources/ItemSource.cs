using System.Runtime.ExceptionServices;

namespace Brigade.Sources;

/// <summary>Hands out consecutive batches of a run's input to any number of workers.</summary>
/// <typeparam name="T">The item type.</typeparam>
/// <remarks>
/// Every implementation is safe to call from many workers at once and assigns each item exactly one index.
/// Items are read only when a worker asks for them, which is what gives lazy sources their backpressure.
/// </remarks>
internal abstract class ItemSource<T> : IAsyncDisposable
{
    // Written once by the reader that saw the input throw (under the source's own lock), read by any worker.
    private volatile Exception? _failure;
    private int _failureThrown;

    /// <summary>Gets the number of items, when the source knows it without enumerating.</summary>
    public virtual long? Count => null;

    /// <summary>Gets how many items have been handed out so far.</summary>
    public abstract long Taken { get; }

    /// <summary>
    /// Gets what the input threw after some items of a batch had been read: that batch is still handed out, so every
    /// item read runs and is counted, and the failure is reported here at once and thrown by the next take (so it also
    /// reaches the run through sources that wrap this one). When the input throws before any item of a batch is read,
    /// <see cref="Take(int, CancellationToken)"/> throws it directly.
    /// </summary>
    public Exception? Failure => _failure;

    /// <summary>Gets whether taking may have to wait for an asynchronous producer.</summary>
    public virtual bool IsAsynchronous => false;

    /// <summary>Tells the source which token trips when the run's caller has left (<see cref="EngineJob{TIn, TOut}.LeaveToken"/>):
    /// a take blocked in the input may then be left behind rather than hold the call (<see cref="EnumerableSource{T}"/>).
    /// Called once, before the first take.</summary>
    internal virtual void LeaveOn(CancellationToken leave)
    {
    }

    /// <summary>Gets, once the run has ended, a sentence on a read of the input the run left behind still running (for the
    /// message of <see cref="RunCanceledException"/>); null when none was.</summary>
    internal virtual string? LeftBehind => null;

    /// <summary>Gets, once the run has ended, a few words on the same (for <see cref="RunReport.ToString"/>); null when none was.</summary>
    internal virtual string? LeftBehindBrief => null;

    /// <summary>Gets whether a take now would hand out items (or the end) without waiting for the producer: false only for an
    /// asynchronous input with nothing read ahead. A loop with a batch in flight takes more only then (lib61).</summary>
    internal virtual bool HasReady => true;

    /// <summary>Takes up to <paramref name="maxCount"/> items; an empty batch means the input is exhausted.</summary>
    public abstract ItemBatch<T> Take(int maxCount, CancellationToken cancellationToken);

    /// <summary>Takes as <see cref="Take(int, CancellationToken)"/> does, adding to <paramref name="waitedTicks"/> how long
    /// the calling thread blocked waiting for an asynchronous producer's next items (TimeSpan ticks; 0 for a take that
    /// found items or read them itself).</summary>
    public virtual ItemBatch<T> Take(int maxCount, CancellationToken cancellationToken, ref long waitedTicks) => Take(maxCount, cancellationToken);

    /// <summary>Takes up to <paramref name="maxCount"/> items without blocking a thread on an asynchronous producer.</summary>
    public virtual ValueTask<ItemBatch<T>> TakeAsync(int maxCount, CancellationToken cancellationToken) => new(Take(maxCount, cancellationToken));

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => CloseAsync();

    /// <summary>Records that the input threw after part of a batch was read; call under the source's lock.</summary>
    protected void DeferFailure(Exception error) => _failure = error;

    /// <summary>Throws a deferred failure, once; call under the source's lock at the start of a take.</summary>
    protected void ThrowDeferredFailure()
    {
        if (_failure is { } error && Interlocked.Exchange(ref _failureThrown, 1) == 0)
        {
            ExceptionDispatchInfo.Throw(error);
        }
    }

    /// <summary>Releases the enumerator, if the source holds one.</summary>
    protected virtual ValueTask CloseAsync() => ValueTask.CompletedTask;

    public static ItemSource<T> From(IEnumerable<T> source) => source switch
    {
        T[] array => new ArraySource<T>(array),
        IList<T> list => new ListSource<T>(list),
        IReadOnlyList<T> list => new ReadOnlyListSource<T>(list),
        _ => new EnumerableSource<T>(source),
    };

    public static ItemSource<T> From(IAsyncEnumerable<T> source) => new AsyncEnumerableSource<T>(source);
}
