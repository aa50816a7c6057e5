namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Two independent ABBA deadlocks in one process: two cycles.</summary>
public sealed class TwoDeadlocks : Scenario
{
    public override string Name => "two-deadlocks";

    public override Expectation Expected => new(Finding.Deadlock) { Cycles = [["pair1-a", "pair1-b"], ["pair2-a", "pair2-b"]], WaitKinds = ["Monitor"] };

    public override void Start()
    {
        var threads = new List<Thread>();
        foreach (var pair in new[] { "pair1", "pair2" })
        {
            var (a, b) = (new object(), new object());
            var bothHold = new Barrier(2);
            threads.Add(Run($"{pair}-a", () => { lock (a) { bothHold.SignalAndWait(); lock (b) { } } }));
            threads.Add(Run($"{pair}-b", () => { lock (b) { bothHold.SignalAndWait(); lock (a) { } } }));
        }

        WaitUntilBlocked([.. threads]);
    }
}
