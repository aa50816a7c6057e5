using System.Runtime.CompilerServices;

namespace Brigade.Engines;

/// <summary>
/// The one item loop of the in-process engines, synchronous and asynchronous: run a batch's items in order, hand each
/// result or failure to a sink, stop when the run's token trips. What runs an item (<see cref="IItemWork{TIn, TOut}"/>)
/// and where its result goes (<see cref="IItemSink{TOut}"/>) are structs, so the JIT compiles one specialized loop
/// per combination, with the calls inlined: for-each work (<see cref="ActionWork{TIn}"/> into a
/// <see cref="NoResultSink"/>) is a cancellation check and a direct delegate call per item, with no store.
/// </summary>
/// <remarks>
/// <para>The engines that run items elsewhere use the same loop on the remote side (<see cref="Remote.RemoteItemExecutor"/>),
/// with a sink that sends results in chunks between items (<see cref="IItemSink{TOut}.Continue"/>).</para>
/// <para>Before each item the loop checks the run's token and, in process, the caller's own token (<c>caller</c>): the run's
/// token is linked to the caller's, and a linked token hears of a cancel only when its callback runs, after every callback
/// registered later on the caller's token; while a slow one ran, every other worker went on through its batch (review 59:
/// up to a whole fixed batch of 1,000 items each). The caller's token reads as cancelled as soon as it is cancelled.</para>
/// <para>An <see cref="OperationCanceledException"/> while the run's token (or the caller's) is cancelled means the item did not finish:
/// the loop stops and the item counts as not run; so does an <see cref="AggregateException"/> made only of them (sync
/// work blocked in <c>task.Wait()</c> on the run's token, review 29a). Any other exception is the item's failure, and the loop goes on.</para>
/// </remarks>
internal static class ItemLoop
{
    /// <summary>Runs <paramref name="items"/> on the calling thread.</summary>
    /// <param name="items">The batch's items.</param>
    /// <param name="work">What runs an item.</param>
    /// <param name="sink">Where each outcome goes.</param>
    /// <param name="token">The run's stop token.</param>
    /// <param name="caller">The caller's own token, checked beside <paramref name="token"/> before each item (see the remarks);
    /// <see langword="default"/> where there is no caller in this process (the remote side).</param>
    /// <returns>How many items, from the first, finished (succeeded or failed); the rest did not run.</returns>
    public static int Run<TIn, TOut, TWork, TSink>(ReadOnlySpan<TIn> items, TWork work, ref TSink sink, CancellationToken token, CancellationToken caller = default)
        where TWork : struct, IItemWork<TIn, TOut>
        where TSink : struct, IItemSink<TOut>, allows ref struct
    {
        // The try block sits outside the per-item loop, so the common path carries no exception-handling setup per
        // item; after a failure the loop is re-entered at the next item.
        var i = 0;
        while (i < items.Length)
        {
            try
            {
                if (RunUntilThrow<TIn, TOut, TWork, TSink>(items, work, sink, ref i, token, caller))
                {
                    return i;
                }
            }
            catch (Exception e) when ((token.IsCancellationRequested || caller.IsCancellationRequested) && IsCancellation(e))
            {
                return i;
            }
            catch (Exception e)
            {
                sink.Failed(i, e);
                i++;
                if (!sink.Continue(i))
                {
                    return i;
                }
            }
        }

        return i;
    }

    // The per-item loop, in a method of its own with no exception handling: there the JIT keeps the work, the sink
    // and the span in registers and can hoist the delegate's type guard out of the loop, which it does not do for
    // locals that a handler in the same method uses (measured: the loop inline in Run cost ~25% more per item than
    // EngineJob's former hand-written loops, this one ~10% less). `index` is the item running, for Run's handler.
    // Succeeded is called on a copy of the sink, so a sink changes its own fields only in Failed.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool RunUntilThrow<TIn, TOut, TWork, TSink>(ReadOnlySpan<TIn> items, TWork work, TSink sink, ref int index, CancellationToken token, CancellationToken caller)
        where TWork : struct, IItemWork<TIn, TOut>
        where TSink : struct, IItemSink<TOut>, allows ref struct
    {
        for (var i = index; i < items.Length; i++)
        {
            if (token.IsCancellationRequested || caller.IsCancellationRequested)
            {
                index = i;
                return true;
            }

            index = i;
            sink.Succeeded(i, work.Invoke(items[i]));
            if (!sink.Continue(i + 1))
            {
                index = i + 1;
                return true;
            }
        }

        index = items.Length;
        return false;
    }

    /// <summary>Runs <paramref name="items"/>, awaiting each item's work, then ends the batch through the sink.</summary>
    /// <remarks>
    /// The batch ends inside this method (<see cref="IAsyncItemSink{TOut}.EndAsync(int, bool)"/>) so that a batch that awaits
    /// allocates one state machine, as the hand-written loop did, not one for the loop and one for its caller.
    /// </remarks>
    /// <param name="items">The batch's items.</param>
    /// <param name="work">What runs an item.</param>
    /// <param name="sink">Where each outcome goes, and what ends the batch.</param>
    /// <param name="token">The run's stop token, which the items get.</param>
    /// <param name="caller">The caller's own token, checked beside <paramref name="token"/> before each item (see
    /// <see cref="Run"/>); <see langword="default"/> on the remote side.</param>
    /// <returns>A task that completes once the batch has ended.</returns>
    // Pooled: a batch whose items await (one item per batch when items take longer than the engine's target batch
    // duration, as most asynchronous I/O does) would otherwise allocate this state machine's box per batch (async63).
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public static async ValueTask RunAsync<TIn, TOut, TWork, TSink>(ReadOnlyMemory<TIn> items, TWork work, TSink sink, CancellationToken token, CancellationToken caller = default)
        where TWork : struct, IAsyncItemWork<TIn, TOut>
        where TSink : struct, IAsyncItemSink<TOut>
    {
        var ran = 0;
        var awaited = false;
        for (; ran < items.Length; ran++)
        {
            if (token.IsCancellationRequested || caller.IsCancellationRequested)
            {
                break;
            }

            try
            {
                var pending = work.InvokeAsync(items.Span[ran], token);
                awaited |= !pending.IsCompleted;
                sink.Succeeded(ran, await Raced(pending, sink).ConfigureAwait(false));
            }
            catch (Exception e) when ((token.IsCancellationRequested || caller.IsCancellationRequested) && IsCancellation(e))
            {
                break;
            }
            catch (Exception e)
            {
                sink.Failed(ran, e);
            }

            if (!sink.Continue(ran + 1))
            {
                ran++;
                break;
            }
        }

        await sink.EndAsync(ran, awaited).ConfigureAwait(false);
    }

    // A pending item is awaited through the worker's race: a run its caller left abandons it after a grace rather than wait
    // for a task that ignores its token (review 47); the run's own stops wait for it (lib48). An item that completed is
    // awaited as it is.
    private static ValueTask<TOut> Raced<TOut, TSink>(ValueTask<TOut> pending, TSink sink)
        where TSink : struct, IAsyncItemSink<TOut> =>
        pending.IsCompleted || sink.Race() is not { CanAbandon: true } race ? pending : race.Await(pending);

    /// <summary>Gets whether an item's exception is its cancellation: an <see cref="OperationCanceledException"/>, or an
    /// <see cref="AggregateException"/> (<c>Task.Wait</c>, <c>.Result</c>) of nothing else.</summary>
    internal static bool IsCancellation(Exception e) =>
        e is OperationCanceledException
        || (e is AggregateException aggregate && aggregate.Flatten().InnerExceptions is { Count: > 0 } inner && inner.All(static x => x is OperationCanceledException));
}
