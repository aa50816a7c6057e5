namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Twin of <see cref="SemaphoreHeldByFlowAwaitingLockedWork"/>: the flow holding the slot awaits a <c>Task.Run</c>
/// that waits for an event, not for the bookkeeper's lock. The bookkeeper waits for that flow, which waits for work that
/// may still end: no cycle, no pitfall; the wait names who holds the slot.</summary>
public sealed class TwinSemaphoreHeldByFlowAwaitingOtherWork : Scenario
{
    private static readonly object Ledger = new();
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly ManualResetEventSlim Shipment = new();

    public override string Name => "twin-semaphore-held-by-flow-awaiting-other-work";

    public override Expectation Expected => new(Finding.None)
    {
        TextContains = "whose slot async flow Brigade.Doctor.Corpus.Scenarios.TwinSemaphoreHeldByFlowAwaitingOtherWork.PostAsync took",
    };

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
                Shipment.Wait();
            });
        }
        finally
        {
            Gate.Release();
        }
    }
}
