namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>A cycle through a plain <c>lock</c> object and a <c>System.Threading.Lock</c>.</summary>
public sealed class MixedLockCycle : Scenario
{
    private static readonly object Cache = new();
    private static readonly Lock Journal = new();

    public override string Name => "mixed-lock-cycle";

    public override Expectation Expected => new(Finding.Deadlock) { Cycles = [["cache-first", "journal-first"]], WaitKinds = ["Monitor", "Lock"] };

    public override void Start()
    {
        var bothHold = new Barrier(2);
        var t1 = Run("cache-first", () => { lock (Cache) { bothHold.SignalAndWait(); lock (Journal) { } } });
        var t2 = Run("journal-first", () => { lock (Journal) { bothHold.SignalAndWait(); lock (Cache) { } } });
        WaitUntil(() => bothHold.CurrentPhaseNumber > 0);
        WaitUntilBlocked(t1, t2);
    }
}
