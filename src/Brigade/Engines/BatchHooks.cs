namespace Brigade.Engines;

/// <summary>
/// A run's batch hooks, frozen before its engine starts: entered in order around each batch's bookkeeping, exited in
/// reverse. Each worker keeps the hooks' slots and the current batch's states in one array of its own, so no hook looks
/// a worker up in a shared table on each batch.
/// </summary>
/// <remarks>A run without hooks holds null instead, and pays one null check when a batch starts and one when it ends.</remarks>
internal sealed class BatchHooks
{
    private readonly IBatchHook[] _hooks;

    private BatchHooks(IBatchHook[] hooks) => _hooks = hooks;

    /// <summary>Gets how many hooks there are.</summary>
    public int Count => _hooks.Length;

    /// <summary>The hooks that are not null, in order; null when there are none.</summary>
    public static BatchHooks? Create(params IBatchHook?[] hooks)
    {
        var present = Array.FindAll(hooks, static h => h is not null);
        return present.Length == 0 ? null : new BatchHooks(present!);
    }

    /// <summary>Enters every hook, first to last, for a batch of <paramref name="worker"/> starting on this thread.</summary>
    public void Enter(EngineWorker worker)
    {
        // Slot of hook i at 2i, its state for the running batch at 2i + 1.
        var state = worker.HookState ??= new object?[_hooks.Length * 2];
        for (var i = 0; i < _hooks.Length; i++)
        {
            state[(2 * i) + 1] = _hooks[i].Enter(worker, ref state[2 * i]);
        }
    }

    /// <summary>Exits every hook, last to first, for the batch of <paramref name="worker"/> that ended.</summary>
    public void Exit(EngineWorker worker, int ran)
    {
        var state = worker.HookState!;
        for (var i = _hooks.Length - 1; i >= 0; i--)
        {
            var entered = state[(2 * i) + 1];
            state[(2 * i) + 1] = null;
            _hooks[i].Exit(worker, state[2 * i], entered, ran);
        }
    }
}
