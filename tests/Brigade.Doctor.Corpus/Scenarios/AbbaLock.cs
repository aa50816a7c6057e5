namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>The classic: two threads take two <c>lock</c> objects in opposite orders.</summary>
public sealed class AbbaLock : Scenario
{
    private static readonly object AccountA = new();
    private static readonly object AccountB = new();

    public override string Name => "abba-lock";

    public override Expectation Expected => new(Finding.Deadlock) { Cycles = [["abba-1", "abba-2"]], WaitKinds = ["Monitor"], HeldIn = "static field Brigade.Doctor.Corpus.Scenarios.AbbaLock.AccountB" };

    public override void Start()
    {
        var bothHold = new Barrier(2);
        var t1 = Run("abba-1", () => { lock (AccountA) { bothHold.SignalAndWait(); lock (AccountB) { } } });
        var t2 = Run("abba-2", () => { lock (AccountB) { bothHold.SignalAndWait(); lock (AccountA) { } } });
        WaitUntil(() => bothHold.CurrentPhaseNumber > 0);
        WaitUntilBlocked(t1, t2);
    }
}
