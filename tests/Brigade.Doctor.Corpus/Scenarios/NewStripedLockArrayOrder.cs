namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Review 52: lock striping, the locks in a static array (<c>static readonly object[] Stripes</c>); two transfers take two
/// stripes in opposite orders. The locks were named "a local of NewStripedLockArrayOrder.Transfer" (whichever frame rooted
/// the element), not by the array the program wrote.
/// </summary>
public sealed class NewStripedLockArrayOrder : Scenario
{
    private static readonly object[] Stripes = [.. Enumerable.Range(0, 8).Select(_ => new object())];
    private static readonly int[] Balances = new int[8];

    public override string Name => "new-striped-lock-array-order";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [["transfer-1-5", "transfer-5-1"]],
        WaitKinds = ["Monitor"],
        HeldIn = "static field Brigade.Doctor.Corpus.Scenarios.NewStripedLockArrayOrder.Stripes[5]",
    };

    public override void Start()
    {
        var bothHold = new Barrier(2);
        var t1 = Run("transfer-1-5", () => Transfer(1, 5, bothHold));
        var t2 = Run("transfer-5-1", () => Transfer(5, 1, bothHold));
        WaitUntil(() => bothHold.CurrentPhaseNumber > 0);
        WaitUntilBlocked(t1, t2);
    }

    private static void Transfer(int from, int to, Barrier bothHold)
    {
        lock (Stripes[from])
        {
            bothHold.SignalAndWait();
            lock (Stripes[to])
            {
                Balances[from]--;
                Balances[to]++;
            }
        }
    }
}
