namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>A thread holds a lock and waits for a task whose code (on the pool) needs that lock.</summary>
public sealed class TaskWaitUnderLock : Scenario
{
    private static readonly object Ledger = new();

    public override string Name => "task-wait-under-lock";

    public override Expectation Expected => new(Finding.Deadlock) { Cycles = [["bookkeeper", "task-worker"]], WaitKinds = ["Task", "Monitor"] };

    public override void Start()
    {
        var workerBlocked = 0;
        var bookkeeper = Run("bookkeeper", () =>
        {
            lock (Ledger)
            {
                Task.Run(() =>
                {
                    Thread.CurrentThread.Name = "task-worker";
                    Volatile.Write(ref workerBlocked, 1);
                    lock (Ledger) { }
                }).Wait();
            }
        });
        WaitUntil(() => Volatile.Read(ref workerBlocked) == 1);
        WaitUntilBlocked(bookkeeper);
    }
}
