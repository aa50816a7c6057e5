namespace Brigade.Tests.Infrastructure;

/// <summary>A lock contention in the process that no item of a run made.</summary>
internal static class StrayContention
{
    /// <summary>One thread queues at a lock another holds: one contention in the process, none an item's.</summary>
    /// <returns>How many contentions the runtime counted meanwhile (at least one).</returns>
    public static long Once()
    {
        var gate = new object();
        var before = Monitor.LockContentionCount;
        Thread waiter;
        lock (gate)
        {
            waiter = new Thread(() =>
            {
                lock (gate)
                {
                }
            });
            waiter.Start();
            while (Monitor.LockContentionCount == before)
            {
                Thread.Sleep(1);
            }
        }

        waiter.Join();
        return Monitor.LockContentionCount - before;
    }
}
