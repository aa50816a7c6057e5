namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Review 51: a <c>Barrier</c> whose post-phase action takes a lock that a participant holds while it signals. The last
/// participant to arrive runs the action (inside <c>Barrier.FinishPhase</c>) and waits for the lock; the holder waits in
/// <c>SignalAndWait</c> for the phase to end. The barrier's count reads "0 of 2 arrived" (reset before the action runs),
/// and the holder was listed as "no owner to blame": no pitfall. It is a deadlock.
/// </summary>
public sealed class NewBarrierPostPhaseTakesHeldLock : Scenario
{
    private static readonly object Ledger = new();

    public override string Name => "new-barrier-post-phase-takes-held-lock";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [["phase-holder", "phase-closer"]],
        WaitKinds = ["ManualResetEventSlim", "Monitor"],
        TextContains = "whose post-phase action, which must return before the phase ends, runs on thread 'phase-closer'",
    };

    public override void Start()
    {
        var phases = new Barrier(2, _ => { lock (Ledger) { } });
        var holds = new ManualResetEventSlim();
        var holder = Run("phase-holder", () => { lock (Ledger) { holds.Set(); phases.SignalAndWait(); } });
        holds.Wait();
        var closer = Run("phase-closer", () => phases.SignalAndWait());
        WaitUntilBlocked(holder, closer);
        GC.KeepAlive(phases);
    }
}
