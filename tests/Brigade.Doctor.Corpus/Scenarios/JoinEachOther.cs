namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Two threads join each other.</summary>
/// <remarks>Review 64 (in this program, not one of its own: each program costs the suite a dump): beside them, a thread
/// that joins a worker before it sets the event that worker waits for (<c>worker.Join(); go.Set();</c>). Before, "No pitfall
/// found": the worker's event "no owner to blame", the launcher waiting in Join "held by" the worker. Now a possible cycle:
/// the launcher's code sets that event after the Join.</remarks>
public sealed class JoinEachOther : Scenario
{
    public override string Name => "join-each-other";

    public override Expectation Expected => new(Finding.Deadlock) { Cycles = [["joiner-1", "joiner-2"], ["launcher", "launched"]], WaitKinds = ["ThreadJoin", "ManualResetEventSlim"] };

    public override void Start()
    {
        var both = new Thread[2];
        var started = new Barrier(2);
        both[0] = new Thread(() => { started.SignalAndWait(); both[1].Join(); }) { IsBackground = true, Name = "joiner-1" };
        both[1] = new Thread(() => { started.SignalAndWait(); both[0].Join(); }) { IsBackground = true, Name = "joiner-2" };
        both[0].Start();
        both[1].Start();
        WaitUntil(() => started.CurrentPhaseNumber > 0);
        WaitUntilBlocked(both);

        var go = new ManualResetEventSlim();
        var launched = Run("launched", () => go.Wait());
        var launcher = Run("launcher", () =>
        {
            launched.Join();
            go.Set();
        });
        WaitUntilBlocked(launched, launcher);
    }
}
