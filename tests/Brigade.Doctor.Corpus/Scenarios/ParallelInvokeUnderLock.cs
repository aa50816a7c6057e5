namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>A thread holds a lock and runs <c>Parallel.Invoke</c> with actions that take it: the caller runs one action
/// itself (the lock is re-entrant), then waits in <c>Task.WaitAll</c> for the others, blocked on the pool behind its lock.</summary>
public sealed class ParallelInvokeUnderLock : Scenario
{
    private static readonly object Totals = new();

    public override string Name => "parallel-invoke-under-lock";

    // The pool threads all carry one name: whichever of them the reported cycle goes through, its members are the same.
    public override Expectation Expected => new(Finding.Deadlock) { Cycles = [["caller", "invoke-worker"]], WaitKinds = ["Task", "Monitor"] };

    public override void Start()
    {
        var onPool = 0;
        void Add()
        {
            Thread.Sleep(100);
            if (Thread.CurrentThread.IsThreadPoolThread)
            {
                Thread.CurrentThread.Name = "invoke-worker";
                Interlocked.Increment(ref onPool);
            }

            lock (Totals) { }
        }

        var caller = Run("caller", () =>
        {
            lock (Totals)
            {
                Parallel.Invoke(Add, Add, Add, Add);
            }
        });
        // The three actions the caller does not run itself all reach the pool (it adds threads slowly; until then the queue
        // holds one, a starvation the label is not about).
        WaitUntil(() => Volatile.Read(ref onPool) == 3);
        WaitUntilBlocked(caller);
    }
}
