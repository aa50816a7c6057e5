namespace Brigade.Engines;

/// <summary>
/// The one item loop of the in-process engines, synchronous and asynchronous: run a batch's items in order, hand each
/// result or failure to a sink, stop when the run's token trips. What runs an item (<see cref="IItemWork{TIn, TOut}"/>)
/// and where its result goes (<see cref="IItemSink{TOut}"/>) are structs, so the JIT compiles one specialized loop
/// per combination, with the calls inlined: for-each work (<see cref="ActionWork{TIn}"/> into a
/// <see cref="NoResultSink"/>) is a cancellation check and a direct delegate call per item, with no store.
/// </summary>
/// <remarks>
/// <para>An <see cref="OperationCanceledException"/> while the run's token is cancelled means the item did not finish:
/// the loop stops and the item counts as not run. Any other exception is the item's failure, and the loop goes on.</para>
/// </remarks>
internal static class ItemLoop
{
    /// <summary>Runs <paramref name="items"/> on the calling thread.</summary>
    /// <returns>How many items, from the first, finished (succeeded or failed); the rest did not run.</returns>
    public static int Run<TIn, TOut, TWork, TSink>(ReadOnlySpan<TIn> items, ref TWork work, ref TSink sink, CancellationToken token)
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
                for (; i < items.Length; i++)
                {
                    if (token.IsCancellationRequested)
                    {
                        return i;
                    }

                    sink.Succeeded(i, work.Invoke(items[i]));
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return i;
            }
            catch (Exception e)
            {
                sink.Failed(i, e);
                i++;
            }
        }

        return i;
    }

    /// <summary>Runs <paramref name="items"/>, awaiting each item's work.</summary>
    /// <returns>How many items, from the first, finished (succeeded or failed), and the sink as the loop left it.</returns>
    public static async ValueTask<(int Ran, TSink Sink)> RunAsync<TIn, TOut, TWork, TSink>(ReadOnlyMemory<TIn> items, TWork work, TSink sink, CancellationToken token)
        where TWork : struct, IAsyncItemWork<TIn, TOut>
        where TSink : struct, IItemSink<TOut>
    {
        var ran = 0;
        for (; ran < items.Length; ran++)
        {
            if (token.IsCancellationRequested)
            {
                break;
            }

            try
            {
                sink.Succeeded(ran, await work.InvokeAsync(items.Span[ran], token).ConfigureAwait(false));
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                sink.Failed(ran, e);
            }
        }

        return (ran, sink);
    }
}
