namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 21, D4: a lock ring whose waits are Monitor.TryEnter(x, Timeout.Infinite): a deadlock, the same as lock().</summary>
public sealed class InfiniteTryEnterRing : Scenario
{
    private static readonly object Left = new();
    private static readonly object Right = new();

    public override string Name => "infinite-try-enter-ring";

    public override Expectation Expected => new(Finding.Deadlock) { Cycles = [["alice", "bob"]], WaitKinds = ["Monitor"] };

    public override void Start()
    {
        var bothHold = new Barrier(2);
        var alice = Run("alice", () => { lock (Left) { bothHold.SignalAndWait(); Monitor.TryEnter(Right, Timeout.Infinite); } });
        var bob = Run("bob", () => { lock (Right) { bothHold.SignalAndWait(); Monitor.TryEnter(Left, Timeout.InfiniteTimeSpan); } });
        WaitUntil(() => bothHold.CurrentPhaseNumber > 0);
        WaitUntilBlocked(alice, bob);
    }
}
