namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Review 60: three importers meet at a <c>Barrier(3)</c>; the first arrives holding the ledger's lock, the third takes
/// that lock before it arrives. The first waits for the third's arrival, the third for the first's lock. A barrier records
/// no owner: before, "No pitfall found" with "if that thread is to signal it, they deadlock"; the third's own code arrives
/// at this very barrier after the lock.
/// </summary>
public sealed class BarrierWaitUnderLockParticipantBehind : Scenario
{
    private static readonly object Ledger = new();

    public override string Name => "barrier-wait-under-lock-participant-behind";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [["import-1", "import-3"]],
        WaitKinds = ["Monitor", "ManualResetEventSlim"],
        TextContains = "which would be signalled (Brigade.Doctor.Corpus.Scenarios.BarrierWaitUnderLockParticipantBehind+<>c__DisplayClass",
    };

    public override void Start()
    {
        var phase = new Barrier(3);
        var first = Run("import-1", () =>
        {
            lock (Ledger)
            {
                phase.SignalAndWait();
            }
        });
        WaitUntil(() => phase.ParticipantsRemaining == 2);
        var second = Run("import-2", () => phase.SignalAndWait());
        WaitUntil(() => phase.ParticipantsRemaining == 1);
        var third = Run("import-3", () =>
        {
            lock (Ledger)
            {
                CpuLoop.Sink++;
            }

            phase.SignalAndWait();
        });
        WaitUntilBlocked(first, second, third);
    }
}
