namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Two threads, two <c>System.Threading.Lock</c> objects, opposite orders (<c>lock</c> on a <c>Lock</c> uses <c>EnterScope</c>).</summary>
public sealed class LockTypeAbba : Scenario
{
    private readonly Lock _orders = new();
    private readonly Lock _stock = new();

    public override string Name => "lock-type-abba";

    public override Expectation Expected => new(Finding.Deadlock) { Cycles = [["orders", "stock"]], WaitKinds = ["Lock"], HeldIn = "field Brigade.Doctor.Corpus.Scenarios.LockTypeAbba._stock" };

    public override void Start()
    {
        var bothHold = new Barrier(2);
        var t1 = Run("orders", () => { lock (_orders) { bothHold.SignalAndWait(); lock (_stock) { } } });
        var t2 = Run("stock", () => { lock (_stock) { bothHold.SignalAndWait(); lock (_orders) { } } });
        WaitUntil(() => bothHold.CurrentPhaseNumber > 0);
        WaitUntilBlocked(t1, t2);
    }
}
