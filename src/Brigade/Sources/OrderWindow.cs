namespace Brigade.Sources;

/// <summary>
/// Bounds how far taking may run ahead of in-order delivery: an ordered stream keeps results that finished early
/// until every earlier item has been delivered, and this window is what keeps that buffer from growing.
/// </summary>
internal sealed class OrderWindow(int capacity)
{
    // Guards _delivered and _advanced.
    private readonly Lock _gate = new();
    private long _delivered;
    private TaskCompletionSource _advanced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Capacity => capacity;

    /// <summary>Gets the index of the next item to deliver: every earlier item has been delivered or skipped.</summary>
    public long Delivered
    {
        get
        {
            lock (_gate)
            {
                return _delivered;
            }
        }
    }

    public void Advance(long delivered)
    {
        TaskCompletionSource wake;
        lock (_gate)
        {
            if (delivered <= _delivered)
            {
                return;
            }

            _delivered = delivered;
            wake = _advanced;
            _advanced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        wake.TrySetResult();
    }

    /// <summary>Returns how many items may be taken now, or a task to wait on when none may.</summary>
    public int Room(long taken, out Task? advanced)
    {
        lock (_gate)
        {
            var room = capacity - (taken - _delivered);
            advanced = room > 0 ? null : _advanced.Task;
            return (int)Math.Max(0, Math.Min(room, int.MaxValue));
        }
    }
}
