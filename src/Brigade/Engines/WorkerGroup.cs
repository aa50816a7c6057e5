namespace Brigade.Engines;

/// <summary>
/// Counts an engine's workers: starts them lazily up to a limit and completes when the last one exits.
/// </summary>
/// <remarks>
/// A new worker is only ever reserved by the engine before the first worker starts or by a worker that is still
/// running, so once the running count reaches zero no further worker can appear and completion is final.
/// </remarks>
internal sealed class WorkerGroup(int maxWorkers)
{
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _started;
    private int _running;

    public Task Completion => _completion.Task;

    public int Started => Volatile.Read(ref _started);

    /// <summary>Reserves the next worker id, unless the limit is reached.</summary>
    public bool TryReserve(out int id)
    {
        while (true)
        {
            var started = Volatile.Read(ref _started);
            if (started >= maxWorkers)
            {
                id = -1;
                return false;
            }

            if (Interlocked.CompareExchange(ref _started, started + 1, started) == started)
            {
                Interlocked.Increment(ref _running);
                id = started;
                return true;
            }
        }
    }

    /// <summary>Gives back a reservation whose worker could not be started.</summary>
    public void Exited()
    {
        if (Interlocked.Decrement(ref _running) == 0)
        {
            _completion.TrySetResult();
        }
    }
}
