namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Twin of <see cref="InfiniteTryEnterRing"/>: two threads each hold one lock and try the other's with
/// <c>Monitor.TryEnter</c> and a 10-minute timeout. Each gives up when its timeout expires, so this is no deadlock (a
/// retry loop around it livelocks at worst), but a dump cannot tell the timeout from <c>Timeout.Infinite</c> (the same
/// frames on .NET 10): the doctor reports a possible deadlock with that caveat (review 21 D4), which is what is
/// expected here; the cost of not missing the infinite ring.</summary>
public sealed class TimedTryEnterPair : Scenario
{
    private static readonly object Left = new();
    private static readonly object Right = new();

    public override string Name => "twin-timed-try-enter";

    public override Expectation Expected => new(Finding.Deadlock) { Cycles = [["alice", "bob"]], WaitKinds = ["Monitor"] };

    public override void Start()
    {
        var bothHold = new Barrier(2);
        var timeout = TimeSpan.FromMinutes(10);
        var alice = Run("alice", () => { lock (Left) { bothHold.SignalAndWait(); if (Monitor.TryEnter(Right, timeout)) { Monitor.Exit(Right); } } });
        var bob = Run("bob", () => { lock (Right) { bothHold.SignalAndWait(); if (Monitor.TryEnter(Left, timeout)) { Monitor.Exit(Left); } } });
        WaitUntil(() => bothHold.CurrentPhaseNumber > 0);
        WaitUntilBlocked(alice, bob);
    }
}
