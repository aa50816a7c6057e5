using System.Collections.Concurrent;

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>A one-thread <see cref="SynchronizationContext"/> with a message loop, as a UI framework has: what is posted
/// to it runs on its thread, in order, when that thread is back in its loop.</summary>
internal sealed class SingleThreadContext : SynchronizationContext
{
    private readonly BlockingCollection<(SendOrPostCallback Callback, object? State)> _queue = [];

    public override void Post(SendOrPostCallback d, object? state) => _queue.Add((d, state));

    public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException();

    /// <summary>Installs the context on the calling thread and runs its loop forever.</summary>
    public void RunLoop()
    {
        SetSynchronizationContext(this);
        foreach (var (callback, state) in _queue.GetConsumingEnumerable())
        {
            callback(state);
        }
    }
}
