namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 21, D5: two threads lock strings built at run time (as <c>lock (userId)</c> does), in opposite
/// orders: a deadlock whose locks are no literals, so the report must not call them one object process-wide.</summary>
public sealed class RuntimeStringLockPair : Scenario
{
    public override string Name => "runtime-string-lock-pair";

    public override Expectation Expected => new(Finding.Deadlock) { Cycles = [["user-a", "user-b"]], WaitKinds = ["Monitor"] };

    public override void Start()
    {
        var first = string.Concat("user-", 17.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var second = string.Concat("user-", 42.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var bothHold = new Barrier(2);
        var a = Run("user-a", () => { lock (first) { bothHold.SignalAndWait(); lock (second) { } } });
        var b = Run("user-b", () => { lock (second) { bothHold.SignalAndWait(); lock (first) { } } });
        WaitUntil(() => bothHold.CurrentPhaseNumber > 0);
        WaitUntilBlocked(a, b);
    }
}
