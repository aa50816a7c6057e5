namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Doctor67: <c>Task.WaitAny(tasks)</c> under a lock every one of those tasks takes. Read "No pitfall found", the wait
/// "for task of type CompleteOnInvokePromise" with "no thread runs its code". Beside it (<c>half-dispatcher</c>), the same
/// with one task that does not take the lock (it sleeps): any one of them ends the wait, so no cycle.
/// </summary>
public sealed class TaskWaitAnyUnderLock : Scenario
{
    private static readonly object Routes = new();
    private static readonly object Depots = new();
    private static int s_blocked;

    public override string Name => "task-waitany-under-lock";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [["dispatcher", "route-worker"]],
        AlsoStuck = ["route-worker"],
        WaitKinds = ["Monitor", "Task"],
        TextContains = "any one of 2 ends it, and the code of every one of them waits for what this thread holds",
    };

    public override void Start()
    {
        var dispatcher = Run("dispatcher", () =>
        {
            lock (Routes)
            {
                Task.WaitAny(Task.Run(Probe), Task.Run(Probe));
            }
        });
        WaitUntil(() => Volatile.Read(ref s_blocked) == 2);
        WaitUntilBlocked(dispatcher);
        var started = 0;
        var half = Run("half-dispatcher", () =>
        {
            lock (Depots)
            {
                Task.WaitAny(
                    Task.Run(() =>
                    {
                        Thread.CurrentThread.Name = "depot-worker";
                        Interlocked.Increment(ref started);
                        lock (Depots)
                        {
                            CpuLoop.Sink++;
                        }
                    }),
                    Task.Run(() =>
                    {
                        Thread.CurrentThread.Name = "depot-napper";
                        Interlocked.Increment(ref started);
                        Thread.Sleep(Timeout.Infinite);
                    }));
            }
        });
        WaitUntil(() => Volatile.Read(ref started) == 2);
        WaitUntilBlocked(dispatcher, half);
    }

    private static void Probe()
    {
        Thread.CurrentThread.Name = "route-worker";
        Interlocked.Increment(ref s_blocked);
        lock (Routes)
        {
            CpuLoop.Sink++;
        }
    }
}
