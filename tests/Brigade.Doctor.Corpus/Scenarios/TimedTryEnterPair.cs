namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Correct twin: two threads each hold one lock and try the other's with <c>Monitor.TryEnter</c> and a
/// timeout. Each gives up when its timeout expires: no deadlock (a retry loop around it livelocks at worst).</summary>
public sealed class TimedTryEnterPair : Scenario
{
    private static readonly object Left = new();
    private static readonly object Right = new();

    public override string Name => "twin-timed-try-enter";

    public override Expectation Expected => new(Finding.None);

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
