namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>A thread holds a lock and runs <c>Parallel.Invoke</c> with actions that take it: the caller runs one action
/// itself (the lock is re-entrant), then waits in <c>Task.WaitAll</c> for the others, blocked on the pool behind its lock.</summary>
/// <remarks>Review 63 (in this program, not one of its own: each program costs the suite a dump): beside it, a
/// <c>Parallel.ForEach</c> whose body takes a lock; item 0's body waits there (<c>Task.Wait()</c>) for a
/// <c>TaskCompletionSource</c> that item 1's body completes under the same lock. Before, "No pitfall found": the source
/// "nothing has completed yet", the setter listed as waiting for the lock. Now a possible cycle: the setter's code completes
/// a source of that type after the lock (which one, an array element, is not read).</remarks>
public sealed class ParallelInvokeUnderLock : Scenario
{
    private static readonly object Totals = new();
    private static readonly object Index = new();
    private static readonly TaskCompletionSource<int>[] Pages = [new(), new()];

    public override string Name => "parallel-invoke-under-lock";

    // The pool threads all carry one name: whichever of them the reported cycle goes through, its members are the same.
    public override Expectation Expected => new(Finding.Deadlock) { Cycles = [["caller", "invoke-worker"], ["indexer", "index-worker"]], WaitKinds = ["Task", "Monitor"] };

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

        var entered = 0;
        var indexer = Run("indexer", () => Parallel.ForEach([0, 1], new ParallelOptions { MaxDegreeOfParallelism = 2 }, item =>
        {
            if (Thread.CurrentThread.IsThreadPoolThread)
            {
                Thread.CurrentThread.Name = "index-worker";
            }

            if (item == 1)
            {
                // Item 0 first takes the lock, whichever thread runs it.
                WaitUntil(() => Volatile.Read(ref entered) == 1);
            }

            Interlocked.Increment(ref entered);
            lock (Index)
            {
                if (item == 0)
                {
                    Pages[1].Task.Wait();
                }

                Pages[item].TrySetResult(item);
            }
        }));
        WaitUntil(() => Volatile.Read(ref entered) == 2);
        WaitUntilBlocked(indexer);
    }
}
