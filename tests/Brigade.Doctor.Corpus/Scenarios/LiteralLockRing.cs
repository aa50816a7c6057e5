namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>A ring of three on the lock objects ordinary code uses besides a field: a string literal, a <c>typeof</c>,
/// and <c>this</c>. (A string used to be no lock target for the analysis, so the ring went unseen.)</summary>
public sealed class LiteralLockRing : Scenario
{
    public const string Literal = "brigade-corpus-orders";

    public override string Name => "literal-lock-ring";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [["restock", "orders", "audit"]],
        WaitKinds = ["Monitor"],
        HeldIn = $"the string \"{Literal}\": a literal is one object process-wide, every lock on \"{Literal}\" anywhere is this lock",
    };

    public override void Start() => new Inventory().Start();

    private sealed class Inventory
    {
        public void Start()
        {
            var allHold = new Barrier(3);
            var restock = Run("restock", () => { lock (this) { allHold.SignalAndWait(); lock (Literal) { } } });
            var orders = Run("orders", () => { lock (Literal) { allHold.SignalAndWait(); lock (typeof(Inventory)) { } } });
            var audit = Run("audit", () => { lock (typeof(Inventory)) { allHold.SignalAndWait(); lock (this) { } } });
            WaitUntil(() => allHold.CurrentPhaseNumber > 0);
            WaitUntilBlocked(restock, orders, audit);
        }
    }
}
