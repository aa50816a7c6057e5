namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>A <c>Barrier</c> for three participants that only two ever reach: both wait forever, with no owner to blame
/// (listed, named by the barrier and how many arrived).</summary>
public sealed class BarrierParticipantMissing : Scenario
{
    private static readonly Barrier Phase = new(3);

    public override string Name => "barrier-participant-missing";

    public override Expectation Expected => new(Finding.None)
    {
        Blocked = ["phase-a", "phase-b"],
        WaitKinds = ["ManualResetEventSlim"],
        TextContains = "waits in Barrier.SignalAndWait on System.Threading.Barrier (static field Brigade.Doctor.Corpus.Scenarios.BarrierParticipantMissing.Phase), 2 of 3 participants arrived",
    };

    public override void Start() => WaitUntilBlocked(Run("phase-a", () => Phase.SignalAndWait()), Run("phase-b", () => Phase.SignalAndWait()));
}
