namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 43's miss: a thread holding a <c>lock</c> waits in <c>SemaphoreSlim.Wait</c> for the only slot, which a
/// suspended async flow took; that flow awaits a <c>Task.Run</c> whose code needs the lock. No thread waits on a task, so
/// the async flows were not read and the semaphore wait had "no owner to blame". A possible deadlock (a semaphore records
/// no owner): the bookkeeper waits for the flow, the flow for the task's thread, that thread for the bookkeeper's lock.</summary>
public sealed class SemaphoreHeldByFlowAwaitingLockedWork : Scenario
{
    private static readonly object Ledger = new();
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public override string Name => "semaphore-held-by-flow-awaiting-locked-work";

    public override Expectation Expected => new(Finding.Deadlock) { Cycles = [["bookkeeper", "task-worker"]], WaitKinds = ["SemaphoreSlim", "Monitor"] };

    public override void Start()
    {
        var lockTaken = new ManualResetEventSlim();
        var slotTaken = new ManualResetEventSlim();
        var workerBlocked = 0;
        var bookkeeper = Run("bookkeeper", () =>
        {
            lock (Ledger)
            {
                lockTaken.Set();
                slotTaken.Wait();
                Gate.Wait();
                Gate.Release();
            }
        });
        lockTaken.Wait();
        _ = PostAsync(slotTaken, () => Volatile.Write(ref workerBlocked, 1));
        WaitUntil(() => Volatile.Read(ref workerBlocked) == 1);
        WaitUntilBlocked(bookkeeper);
    }

    private static async Task PostAsync(ManualResetEventSlim slotTaken, Action blocking)
    {
        await Gate.WaitAsync();
        try
        {
            slotTaken.Set();
            await Task.Run(() =>
            {
                Thread.CurrentThread.Name = "task-worker";
                blocking();
                lock (Ledger)
                {
                }
            });
        }
        finally
        {
            Gate.Release();
        }
    }
}
