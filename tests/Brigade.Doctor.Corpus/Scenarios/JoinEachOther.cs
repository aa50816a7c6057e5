namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Two threads join each other.</summary>
public sealed class JoinEachOther : Scenario
{
    public override string Name => "join-each-other";

    public override Expectation Expected => new(Finding.Deadlock) { Cycles = [["joiner-1", "joiner-2"]], WaitKinds = ["ThreadJoin"] };

    public override void Start()
    {
        var both = new Thread[2];
        var started = new Barrier(2);
        both[0] = new Thread(() => { started.SignalAndWait(); both[1].Join(); }) { IsBackground = true, Name = "joiner-1" };
        both[1] = new Thread(() => { started.SignalAndWait(); both[0].Join(); }) { IsBackground = true, Name = "joiner-2" };
        both[0].Start();
        both[1].Start();
        WaitUntil(() => started.CurrentPhaseNumber > 0);
        WaitUntilBlocked(both);
    }
}
