namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>A thread holds a lock and joins a worker that needs that lock.</summary>
public sealed class JoinWhileHolding : Scenario
{
    private static readonly object State = new();

    public override string Name => "join-while-holding";

    public override Expectation Expected => new(Finding.Deadlock) { Cycles = [["coordinator", "worker"]], WaitKinds = ["ThreadJoin", "Monitor"] };

    public override void Start()
    {
        var holding = new ManualResetEventSlim();
        Thread? worker = null;
        var coordinator = Run("coordinator", () =>
        {
            lock (State)
            {
                worker = Run("worker", () => { holding.Wait(); lock (State) { } });
                holding.Set();
                worker.Join();
            }
        });
        WaitUntil(() => worker is not null);
        WaitUntilBlocked(coordinator, worker!);
    }
}
