using Brigade.Internal;

namespace Brigade.Engines;

/// <summary>Runs one item synchronously, for <see cref="ItemLoop.Run"/>.</summary>
internal interface IItemWork<TIn, TOut>
{
    /// <summary>Runs <paramref name="item"/>; throws its failure.</summary>
    TOut Invoke(TIn item);
}

/// <summary>Runs one item asynchronously, for <see cref="ItemLoop.RunAsync"/>.</summary>
internal interface IAsyncItemWork<TIn, TOut>
{
    /// <summary>Runs <paramref name="item"/>; throws its failure.</summary>
    ValueTask<TOut> InvokeAsync(TIn item, CancellationToken cancellationToken);
}

/// <summary>For-each work: the user's action, called directly, with nothing to return.</summary>
internal readonly struct ActionWork<TIn>(Action<TIn> action) : IItemWork<TIn, Unit>
{
    public Unit Invoke(TIn item)
    {
        action(item);
        return default;
    }
}

/// <summary>Synchronous work that returns a result.</summary>
internal readonly struct SyncWork<TIn, TOut>(Func<TIn, TOut> work) : IItemWork<TIn, TOut>
{
    public TOut Invoke(TIn item) => work(item);
}

/// <summary>Asynchronous work run on a thread the engine owns: the thread blocks only while an item's task is pending.
/// An item still pending a second after <paramref name="abandonOn"/> is cancelled is abandoned
/// (<see cref="ItemRace{TOut}.Block"/>): in process, the caller leaving (<see cref="EngineJob{TIn, TOut}.LeaveToken"/>),
/// not the run's own stop, which waits for the item (lib48); the remote side passes none: its host kills a worker whose
/// item ignores a cancel.</summary>
internal readonly struct BlockingAsyncWork<TIn, TOut>(Func<TIn, CancellationToken, ValueTask<TOut>> work, CancellationToken token, CancellationToken abandonOn = default, CancellationToken caller = default) : IItemWork<TIn, TOut>
{
    public TOut Invoke(TIn item)
    {
        ValueTask<TOut> pending;
        var was = ItemInvocation.Enter();
        try
        {
            pending = work(item, token);
        }
        finally
        {
            ItemInvocation.Exit(was);
        }

        return ItemRace<TOut>.Block(pending, abandonOn, caller);
    }
}

/// <summary>Asynchronous work, awaited.</summary>
internal readonly struct AsyncWork<TIn, TOut>(Func<TIn, CancellationToken, ValueTask<TOut>> work) : IAsyncItemWork<TIn, TOut>
{
    public ValueTask<TOut> InvokeAsync(TIn item, CancellationToken cancellationToken) => work(item, cancellationToken);
}
