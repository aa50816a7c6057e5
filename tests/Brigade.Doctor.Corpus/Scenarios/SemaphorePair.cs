namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Two threads each hold the only permit of one semaphore and wait for the other's. A real hang, but permits have no
/// owner (any thread may release one), so the dump cannot prove a cycle: both are listed as blocked, never as a deadlock.
/// </summary>
public sealed class SemaphorePair : Scenario
{
    private static readonly SemaphoreSlim Left = new(1);
    private static readonly SemaphoreSlim Right = new(1);

    public override string Name => "semaphore-pair";

    public override Expectation Expected => new(Finding.None) { Blocked = ["permit-left", "permit-right"], WaitKinds = ["SemaphoreSlim"] };

    public override void Start()
    {
        var bothHold = new Barrier(2);
        var t1 = Run("permit-left", () => { Left.Wait(); bothHold.SignalAndWait(); Right.Wait(); });
        var t2 = Run("permit-right", () => { Right.Wait(); bothHold.SignalAndWait(); Left.Wait(); });
        WaitUntil(() => bothHold.CurrentPhaseNumber > 0);
        WaitUntilBlocked(t1, t2);
    }
}
