using System.Collections.Concurrent;

namespace Brigade.Processes.Internal;

/// <summary>
/// One long-lived thread that runs the actions posted to it in order (the worker starts: on Linux a worker's
/// PR_SET_PDEATHSIG is tied to the thread that forked it). The thread is started by the first post; a start that fails
/// (the process at its thread limit) throws to that caller and is not remembered, so a later post tries again (a
/// <see cref="Lazy{T}"/> kept the first failure and every later engine failed with it).
/// </summary>
internal sealed class SpawnThread(string name, Action<Thread>? start = null)
{
    private readonly BlockingCollection<Action> _actions = [];
    private readonly Action<Thread> _start = start ?? Brigade.Internal.DetachedContext.Start;
    private readonly Lock _gate = new();
    private volatile Thread? _thread;

    /// <summary>Gets whether the thread is running.</summary>
    public bool Started => _thread is not null;

    /// <summary>Queues an action, starting the thread first when it is not running.</summary>
    /// <exception cref="OutOfMemoryException">The thread could not be started (nothing was queued).</exception>
    /// <exception cref="ThreadStartException">The thread could not be started (nothing was queued).</exception>
    public void Post(Action action)
    {
        if (_thread is null)
        {
            lock (_gate)
            {
                if (_thread is null)
                {
                    var thread = new Thread(Run) { IsBackground = true, Name = name };
                    _start(thread);
                    _thread = thread;
                }
            }
        }

        _actions.Add(action);
    }

    private void Run()
    {
        foreach (var action in _actions.GetConsumingEnumerable())
        {
            action();
        }
    }
}
