using Brigade.Synchronization;

namespace Brigade.Diagnostics;

/// <summary>Happens-before from Brigade's primitives: a release publishes the releasing flow's clock in the primitive;
/// an acquisition joins it. Reader/writer locks keep read releases apart, so readers are not ordered with each other.</summary>
internal sealed class RaceObserver(RaceDetector detector) : ISynchronizationObserver
{
    private const int Exclusive = 0;
    private const int Reads = 1;

    public void OnAcquiring(SynchronizationPrimitive primitive, AccessMode mode)
    {
    }

    /// <summary>A semaphore of more than one permit bounds concurrency but excludes nothing: that one holder released a
    /// permit before another took one orders nothing the program relies on (Brigade's permits are owned, so a semaphore
    /// is never a signal), and counting it would hide races between holders that happened not to overlap.</summary>
    private static bool Orders(SynchronizationPrimitive primitive) => primitive is not DetectingSemaphore { MaxCount: > 1 };

    public void OnWaiting(SynchronizationPrimitive primitive, AccessMode mode, Holder waiter)
    {
    }

    public void OnAcquired(SynchronizationPrimitive primitive, AccessMode mode, Holder holder)
    {
        if (!Orders(primitive))
        {
            return;
        }

        var flow = detector.CurrentFlow();
        if (!flow.IsTracked)
        {
            return;
        }

        var clocks = detector.ClocksOf(primitive);
        clocks[Exclusive].Acquire(flow);
        if (mode == AccessMode.Write)
        {
            clocks[Reads].Acquire(flow);   // a writer follows the readers before it, too
        }
    }

    public void OnReleasing(SynchronizationPrimitive primitive, AccessMode mode, Holder holder)
    {
        if (!Orders(primitive))
        {
            return;
        }

        var flow = detector.CurrentFlow();
        if (flow.IsTracked)
        {
            detector.ClocksOf(primitive)[mode == AccessMode.Read ? Reads : Exclusive].Release(flow);
        }
    }
}
