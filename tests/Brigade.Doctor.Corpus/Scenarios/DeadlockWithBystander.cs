namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>An ABBA deadlock, and a third thread that waits for one of its locks: stuck behind it, not in it.</summary>
public sealed class DeadlockWithBystander : Scenario
{
    private static readonly object Inventory = new();
    private static readonly object Billing = new();

    public override string Name => "deadlock-with-bystander";

    public override Expectation Expected => new(Finding.Deadlock) { Cycles = [["ship", "bill"]], AlsoStuck = ["report"], WaitKinds = ["Monitor"] };

    public override void Start()
    {
        var bothHold = new Barrier(2);
        var t1 = Run("ship", () => { lock (Inventory) { bothHold.SignalAndWait(); lock (Billing) { } } });
        var t2 = Run("bill", () => { lock (Billing) { bothHold.SignalAndWait(); lock (Inventory) { } } });
        WaitUntil(() => bothHold.CurrentPhaseNumber > 0);
        var t3 = Run("report", () => { lock (Inventory) { } });
        WaitUntilBlocked(t1, t2, t3);
    }
}
