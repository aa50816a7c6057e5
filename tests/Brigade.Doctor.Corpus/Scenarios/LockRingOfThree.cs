namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Three threads, three <c>lock</c> objects, each thread takes its own then the next one's.</summary>
public sealed class LockRingOfThree : Scenario
{
    public override string Name => "lock-ring-3";

    public override Expectation Expected => new(Finding.Deadlock) { Cycles = [["ring-1", "ring-2", "ring-3"]], WaitKinds = ["Monitor"] };

    public override void Start()
    {
        var locks = new[] { new object(), new object(), new object() };
        var allHold = new Barrier(3);
        var threads = Enumerable.Range(0, 3).Select(i => Run($"ring-{i + 1}", () =>
        {
            lock (locks[i])
            {
                allHold.SignalAndWait();
                lock (locks[(i + 1) % 3]) { }
            }
        })).ToArray();
        WaitUntil(() => allHold.CurrentPhaseNumber > 0);
        WaitUntilBlocked(threads);
    }
}
