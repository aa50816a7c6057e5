namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 37: a caller blocks on an async method that awaits <c>Task.WhenAll</c> of two flows; each flow, on a
/// pool thread after its first await, takes two <c>lock</c>s in the opposite order of the other. The caller is stuck
/// behind the lock cycle (it needs both flows), not waiting on "no thread".</summary>
public sealed class WhenAllFlowsInLockCycle : Scenario
{
    private static readonly object Session = new();
    private static readonly object Log = new();

    public override string Name => "when-all-flows-in-lock-cycle";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [["flow-ingest", "flow-flush"]],
        AlsoStuck = ["caller"],
        WaitKinds = ["Monitor"],
    };

    public override void Start()
    {
        var both = new Barrier(3);
        var caller = Run("caller", () => RunAsync(both).GetAwaiter().GetResult());
        both.SignalAndWait();
        WaitUntil(() => Volatile.Read(ref _named) == 2);
        WaitUntilBlocked(caller);
        Thread.Sleep(300);
    }

    private static int _named;

    private static async Task RunAsync(Barrier both) =>
        await Task.WhenAll(Task.Run(() => StepAsync(Session, Log, "flow-ingest", both)), Task.Run(() => StepAsync(Log, Session, "flow-flush", both)));

    private static async Task StepAsync(object first, object second, string name, Barrier both)
    {
        await Task.Yield();
        Thread.CurrentThread.Name = name;
        lock (first)
        {
            Interlocked.Increment(ref _named);
            both.SignalAndWait();
            lock (second)
            {
            }
        }

        await Task.Yield();
    }
}
