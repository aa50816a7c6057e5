namespace Brigade.Sources;

/// <summary>Wraps a source so that no item is taken more than <see cref="OrderWindow.Capacity"/> ahead of delivery.</summary>
internal sealed class WindowedSource<T>(ItemSource<T> inner, OrderWindow window) : ItemSource<T>
{
    public override long? Count => inner.Count;

    public override long Taken => inner.Taken;

    public override bool IsAsynchronous => true;

    public override ItemBatch<T> Take(int maxCount, CancellationToken cancellationToken)
    {
        while (true)
        {
            var room = window.Room(inner.Taken, out var advanced);
            if (room > 0)
            {
                return inner.Take(Math.Min(maxCount, room), cancellationToken);
            }

            advanced!.Wait(cancellationToken);
        }
    }

    public override async ValueTask<ItemBatch<T>> TakeAsync(int maxCount, CancellationToken cancellationToken)
    {
        while (true)
        {
            var room = window.Room(inner.Taken, out var advanced);
            if (room > 0)
            {
                return await inner.TakeAsync(Math.Min(maxCount, room), cancellationToken).ConfigureAwait(false);
            }

            await advanced!.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    protected override ValueTask CloseAsync() => inner.DisposeAsync();
}
